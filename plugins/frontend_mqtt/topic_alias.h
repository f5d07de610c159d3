// MQTT 5 Topic Aliases (3.3.2.3.4) of one connection, both ways. Each direction has its own
// number space: the client binds aliases up to the maximum we announced, we bind aliases up to
// the maximum the client announced. Allocated on first use, so connections without aliases
// pay one pointer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mqtt/mqtt_codec.h"

namespace mqgw::mqttfe {

class TopicAliases {
 public:
  // A client PUBLISH with a Topic Alias: binds it (topic present) or looks it up (topic
  // empty) and points p.topic at the bound topic, which stays valid until the alias is
  // rebound. Errors: alias above `maximum` → 0x94, unknown alias with no topic → 0x82.
  std::optional<mqtt::DecodeError> resolveInbound(mqtt::Publish& p, uint16_t maximum);

  // The alias to send `topic` with, 0 for none. `isNew`: the alias is not bound yet, so the
  // PUBLISH must carry the topic too, and bindOutbound must follow once it was sent.
  uint16_t outboundAlias(std::string_view topic, uint16_t maximum, bool& isNew) const;
  void bindOutbound(std::string_view topic, uint16_t alias);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> inbound_;  // [alias - 1] -> topic; "" = unbound
  std::unordered_map<std::string, uint16_t, Hash, std::equal_to<>> outbound_;
};

}  // namespace mqgw::mqttfe
