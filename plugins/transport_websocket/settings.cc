#include "settings.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "host.h"

namespace mqgw::wsplugin {

const mqgw_config_key kSchema[] = {
    {"path", MQGW_CFG_STRING, "/mqtt", 0, 1, 0, nullptr,
     "the HTTP request path clients upgrade on (query strings are ignored)"},
    {"subprotocols", MQGW_CFG_STRING, "mqtt, mqttv3.1", 0, 1, 0, nullptr,
     "Sec-WebSocket-Protocol values accepted, comma-separated, preferred first; empty accepts "
     "clients without negotiating"},
    {"max_frame_size", MQGW_CFG_SIZE, "1MiB", 0, 126, 256.0 * 1024 * 1024, nullptr,
     "largest frame payload a client may send; larger frames are closed with 1009"},
    {"handshake_timeout", MQGW_CFG_DURATION_MS, "10s", 0, 100, 600000, nullptr,
     "time from accept to a complete Upgrade request"},
    {"max_handshake_bytes", MQGW_CFG_SIZE, "8KiB", 0, 256, 65536, nullptr,
     "largest Upgrade request (request line and headers); larger gets 431"},
};
const uint32_t kSchemaLen = sizeof kSchema / sizeof kSchema[0];

namespace {

bool validProtocolToken(std::string_view t) {
  for (char c : t)
    if (c <= 0x20 || c >= 0x7F || std::strchr("()<>@,;:\\\"/[]?={}", c)) return false;
  return !t.empty();
}

}  // namespace

int parseSettings(const mqgw_kv* cfg, size_t n, Settings& out) {
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = cfg[i].key;
    std::string value = cfg[i].value ? cfg[i].value : "";
    if (key == "path") {
      if (value.empty() || value[0] != '/' || value.find_first_of("? \t#") != std::string::npos) {
        host().log(MQGW_LOG_ERROR, kPluginName, "path '%s' must start with '/' and have no query",
                   value.c_str());
        return MQGW_E_INVAL;
      }
      out.handshake.path = value;
    } else if (key == "subprotocols") {
      out.handshake.subprotocols.clear();
      for (std::string_view t : ws::splitTokens(value)) {
        if (!validProtocolToken(t)) {
          host().log(MQGW_LOG_ERROR, kPluginName, "subprotocol '%.*s' is not an HTTP token",
                     static_cast<int>(t.size()), t.data());
          return MQGW_E_INVAL;
        }
        out.handshake.subprotocols.emplace_back(t);
      }
    } else if (key == "max_frame_size") {
      out.maxFrameSize = std::strtoull(value.c_str(), nullptr, 10);
    } else if (key == "handshake_timeout") {
      out.handshakeTimeoutMs = std::strtoull(value.c_str(), nullptr, 10);
    } else if (key == "max_handshake_bytes") {
      out.handshake.maxRequestBytes = std::strtoull(value.c_str(), nullptr, 10);
    }
  }
  return MQGW_OK;
}

}  // namespace mqgw::wsplugin
