/* A shared object that exports no mqgw_plugin_entry: the loader must say so. The function is
 * exported under a near-miss name so the .so is not empty and the mistake looks realistic. */
#include "fixture.h"

static const mqgw_plugin_descriptor desc = FIXTURE_DESCRIPTOR("missing_symbol");

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry_v1(uint32_t host_abi, const mqgw_host_api* host,
                                            const mqgw_plugin_descriptor** out) {
  (void)host_abi;
  (void)host;
  *out = &desc;
  return MQGW_OK;
}
