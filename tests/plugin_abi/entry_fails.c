/* The entry point itself reports an error: the loader must stop and name it. */
#include "mqgw/plugin_abi.h"

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                         const mqgw_plugin_descriptor** out) {
  (void)host_abi;
  (void)host;
  *out = 0;
  return MQGW_E_INVAL;
}
