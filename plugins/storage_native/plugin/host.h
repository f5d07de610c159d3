// The host API table the core handed to this plugin at load (set once in mqgw_plugin_entry).
#pragma once

#include "mqgw/plugin_abi.h"

namespace mqgw::native {

extern const mqgw_host_api* gHost;
inline const mqgw_host_api& host() { return *gHost; }

}  // namespace mqgw::native
