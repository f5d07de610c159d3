#include "config.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

namespace mqgw::mqttfe {

const mqgw_config_key kConfigSchema[] = {
    {"max_inflight", MQGW_CFG_INT, "32", 0, 1, 65535, nullptr,
     "Outbound QoS 1/2 messages awaiting acknowledgement per connection (MQTT 5: at most the "
     "client's Receive Maximum); also the Receive Maximum announced to clients"},
    {"connect_timeout", MQGW_CFG_DURATION_MS, "10000", 0, 1, 3600000, nullptr,
     "Close a connection that has not sent CONNECT within this time"},
    {"max_queued_messages", MQGW_CFG_INT, "1000", 0, 0, 10000000, nullptr,
     "Outbound QoS 1/2 messages per connection waiting for the inflight window; beyond it the "
     "oldest QoS 1 message is dropped"},
    {"topic_alias_maximum", MQGW_CFG_INT, "10", 0, 0, 65535, nullptr,
     "MQTT 5 Topic Alias Maximum announced to clients (0 = clients may not use topic aliases)"},
    {"response_information_prefix", MQGW_CFG_STRING, "response/", 0, 1, 0, nullptr,
     "MQTT 5 Response Information for clients that request it: this prefix + Client ID + '/'"},
    {"session_expiry_max", MQGW_CFG_DURATION_MS, "259200000", 0, 1000, 4294967295000.0, nullptr,
     "Longest a persistent session outlives its connection (3.1.1 clean session 0 sessions "
     "included; MQTT 5 clients asking for more are told this value in CONNACK)"},
    {"subscribe_denied_code", MQGW_CFG_ENUM, "not_authorized", 0, 1, 0,
     "not_authorized|unspecified_error",
     "MQTT 5 SUBACK reason for a filter the authorization rules refuse: 0x87 Not authorized, "
     "or 0x80 Unspecified error for client libraries that accept only 0x80 as a failure"},
};
const uint32_t kConfigSchemaLen = sizeof(kConfigSchema) / sizeof(kConfigSchema[0]);

namespace {

bool parseUint(const char* text, uint64_t max, uint64_t& out) {
  if (!text) return false;
  std::string_view s(text);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out <= max;
}

}  // namespace

int parseConfig(const mqgw_kv* kv, size_t n, FrontendConfig& out) {
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = kv[i].key ? kv[i].key : "";
    uint64_t v = 0;
    if (key == "max_inflight") {
      if (!parseUint(kv[i].value, 65535, v) || v == 0) return MQGW_E_INVAL;
      out.maxInflight = static_cast<uint32_t>(v);
    } else if (key == "connect_timeout") {
      if (!parseUint(kv[i].value, UINT64_MAX, v)) return MQGW_E_INVAL;
      out.connectTimeoutMs = v;
    } else if (key == "max_queued_messages") {
      if (!parseUint(kv[i].value, UINT32_MAX, v)) return MQGW_E_INVAL;
      out.maxQueuedMessages = static_cast<uint32_t>(v);
    } else if (key == "session_expiry_max") {
      if (!parseUint(kv[i].value, UINT64_MAX, v) || v < 1000) return MQGW_E_INVAL;
      out.sessionExpiryMaxS = static_cast<uint32_t>(std::min<uint64_t>(v / 1000, UINT32_MAX - 1));
    } else if (key == "topic_alias_maximum") {
      if (!parseUint(kv[i].value, 65535, v)) return MQGW_E_INVAL;
      out.topicAliasMaximum = static_cast<uint16_t>(v);
    } else if (key == "subscribe_denied_code") {
      std::string_view word = kv[i].value ? kv[i].value : "";
      if (word != "not_authorized" && word != "unspecified_error") return MQGW_E_INVAL;
      out.subscribeDeniedCode = word == "not_authorized" ? 0x87 : 0x80;
    } else if (key == "response_information_prefix") {
      out.responseInfoPrefix = kv[i].value ? kv[i].value : "";
    } else {
      return MQGW_E_INVAL;
    }
  }
  return MQGW_OK;
}

}  // namespace mqgw::mqttfe
