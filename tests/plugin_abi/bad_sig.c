/* Built with a different build signature (as if for another pointer size or sanitizer mode):
 * sharing memory with it is unsafe, so the loader must refuse it ("build signature"). */
#include "fixture.h"

static mqgw_plugin_descriptor desc = FIXTURE_DESCRIPTOR("bad_sig");

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                         const mqgw_plugin_descriptor** out) {
  (void)host_abi;
  (void)host;
  desc.build_sig = "mqgw-abi1/ptr4/be/other";
  *out = &desc;
  return MQGW_OK;
}
