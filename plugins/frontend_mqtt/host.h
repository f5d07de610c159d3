// The host API table the core handed to mqgw_plugin_entry, and small helpers around it.
#pragma once

#include <cstddef>
#include <string_view>

#include "mqgw/plugin_abi.h"

namespace mqgw::mqttfe {

// Set once by mqgw_plugin_entry; valid until the plugin is unloaded.
extern const mqgw_host_api* gHost;

inline const mqgw_host_api& host() { return *gHost; }

inline mqgw_str toStr(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view toView(mqgw_str s) { return {s.ptr, s.len}; }

// The topic name a client sees for msg (a console instance's messages carry their instance in
// their internal topic; ABI 1.2). An older host has no instances: the view's topic is it.
inline mqgw_str clientTopic(const mqgw_message* msg) {
  if (host().struct_size >= offsetof(mqgw_host_api, message_client_topic) + sizeof(void*) &&
      host().message_client_topic)
    return host().message_client_topic(msg);
  return host().message_view(msg)->topic;
}

}  // namespace mqgw::mqttfe
