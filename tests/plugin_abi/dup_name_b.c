/* Second of two well-formed plugins that share the name "dup"; loading it after dup_name_a must fail. */
#include "fixture.h"

static const mqgw_plugin_descriptor desc = FIXTURE_DESCRIPTOR("dup");

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                         const mqgw_plugin_descriptor** out) {
  (void)host_abi;
  (void)host;
  *out = &desc;
  return MQGW_OK;
}
