/* Claims a descriptor shorter than ABI 1.0's: the loader must not read past it ("struct"). */
#include <stddef.h>

#include "fixture.h"

static mqgw_plugin_descriptor desc = FIXTURE_DESCRIPTOR("bad_struct");

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                         const mqgw_plugin_descriptor** out) {
  (void)host_abi;
  (void)host;
  desc.struct_size = (uint32_t)offsetof(mqgw_plugin_descriptor, kind);
  *out = &desc;
  return MQGW_OK;
}
