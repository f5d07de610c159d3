#include "topic_alias.h"

namespace mqgw::mqttfe {

namespace reason = mqtt::reason;

std::optional<mqtt::DecodeError> TopicAliases::resolveInbound(mqtt::Publish& p,
                                                              uint16_t maximum) {
  const uint16_t alias = *p.properties.topicAlias;
  if (alias == 0 || alias > maximum)
    return mqtt::DecodeError{reason::TopicAliasInvalid, "topic alias out of range"};
  if (inbound_.size() < alias) inbound_.resize(alias);
  std::string& bound = inbound_[alias - 1];
  if (!p.topic.empty()) {
    bound.assign(p.topic);
  } else if (bound.empty()) {
    return mqtt::DecodeError{reason::ProtocolError, "unknown topic alias"};
  }
  p.topic = bound;
  return std::nullopt;
}

uint16_t TopicAliases::outboundAlias(std::string_view topic, uint16_t maximum,
                                     bool& isNew) const {
  isNew = false;
  if (auto it = outbound_.find(topic); it != outbound_.end()) return it->second;
  // First come, first served: aliases 1..maximum go to the first distinct topics, for good.
  if (outbound_.size() >= maximum) return 0;
  isNew = true;
  return static_cast<uint16_t>(outbound_.size() + 1);
}

void TopicAliases::bindOutbound(std::string_view topic, uint16_t alias) {
  outbound_.emplace(std::string(topic), alias);
}

}  // namespace mqgw::mqttfe
