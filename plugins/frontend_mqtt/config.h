// The frontend's config schema and its parsed form (the core validated the values already).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "mqgw/plugin_abi.h"

namespace mqgw::mqttfe {

struct FrontendConfig {
  uint32_t maxInflight = 32;         // outbound QoS 1/2 window, also our Receive Maximum
  uint64_t connectTimeoutMs = 10000; // close a connection that sends no CONNECT in time
  uint32_t maxQueuedMessages = 1000; // QoS 1/2 messages waiting for the window
  uint16_t topicAliasMaximum = 10;   // MQTT 5 Topic Alias Maximum announced in CONNACK
  std::string responseInfoPrefix = "response/";  // MQTT 5 Response Information: prefix + id + "/"
  uint32_t sessionExpiryMaxS = 259200;  // persistent sessions end this long after disconnecting
  // MQTT 5 SUBACK code for a filter the authorization rules refuse: 0x87 Not authorized, or
  // 0x80 Unspecified error for client libraries that accept no other failure code.
  uint8_t subscribeDeniedCode = 0x87;
};

extern const mqgw_config_key kConfigSchema[];
extern const uint32_t kConfigSchemaLen;

// Fills `out` from normalized key/value text; MQGW_E_INVAL on an unknown key or bad number.
int parseConfig(const mqgw_kv* kv, size_t n, FrontendConfig& out);

}  // namespace mqgw::mqttfe
