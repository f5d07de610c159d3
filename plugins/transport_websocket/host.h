// The host API table the core handed to mqgw_plugin_entry.
#pragma once

#include "mqgw/plugin_abi.h"

namespace mqgw::wsplugin {

extern const mqgw_host_api* gHost;  // set once by the entry point; valid until unload
inline const mqgw_host_api& host() { return *gHost; }

constexpr const char* kPluginName = "websocket";

}  // namespace mqgw::wsplugin
