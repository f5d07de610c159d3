/* Built against a newer minor of the same major than the host has: refused ("newer"). */
#include "fixture.h"

static mqgw_plugin_descriptor desc = FIXTURE_DESCRIPTOR("bad_minor");

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                         const mqgw_plugin_descriptor** out) {
  (void)host_abi;
  (void)host;
  desc.abi_version = (uint32_t)((MQGW_ABI_MAJOR << 16) | (MQGW_ABI_MINOR + 1));
  *out = &desc;
  return MQGW_OK;
}
