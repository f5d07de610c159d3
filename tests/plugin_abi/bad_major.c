/* Built for a future ABI major: the loader must refuse it ("ABI major"). */
#include "fixture.h"

static mqgw_plugin_descriptor desc = FIXTURE_DESCRIPTOR("bad_major");

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                         const mqgw_plugin_descriptor** out) {
  (void)host_abi;
  (void)host;
  desc.abi_version = (99u << 16) | 0u;
  *out = &desc;
  return MQGW_OK;
}
