// The host API table the core handed to mqgw_plugin_entry, and small helpers around it.
#pragma once

#include <string_view>

#include "mqgw/plugin_abi.h"

namespace mqgw::mqttfe {

// Set once by mqgw_plugin_entry; valid until the plugin is unloaded.
extern const mqgw_host_api* gHost;

inline const mqgw_host_api& host() { return *gHost; }

inline mqgw_str toStr(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view toView(mqgw_str s) { return {s.ptr, s.len}; }

}  // namespace mqgw::mqttfe
