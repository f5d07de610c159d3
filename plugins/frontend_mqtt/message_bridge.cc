#include "message_bridge.h"

#include "host.h"

namespace mqgw::mqttfe {
namespace {

mqgw_str optStr(const std::optional<std::string_view>& s) {
  return s ? toStr(*s) : mqgw_str{nullptr, 0};
}

void copyProperties(const mqtt::Properties& pr, std::vector<mqgw_user_prop>& props,
                    mqgw_message_view& v) {
  v.payload_format = pr.payloadFormatIndicator.value_or(0);
  v.has_expiry = pr.messageExpiryInterval.has_value();
  v.expiry_interval_s = pr.messageExpiryInterval.value_or(0);
  v.content_type = optStr(pr.contentType);
  v.response_topic = optStr(pr.responseTopic);
  v.correlation_data = optStr(pr.correlationData);
  props.clear();
  for (const mqtt::UserProperty& u : pr.userProperties)
    props.push_back({toStr(u.key), toStr(u.value)});
  v.user_props = props.empty() ? nullptr : props.data();
  v.user_prop_count = static_cast<uint32_t>(props.size());
}

std::optional<std::string_view> optView(mqgw_str s) {
  if (s.len == 0) return std::nullopt;
  return toView(s);
}

}  // namespace

namespace {

mqgw_message_view viewOf(std::string_view topic, std::string_view payload, uint8_t qos,
                         bool retain, const mqtt::Properties& properties,
                         std::string_view publisherId, std::vector<mqgw_user_prop>& props) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = toStr(topic);
  v.payload = toStr(payload);
  v.qos = qos;
  v.retain = retain ? 1 : 0;
  copyProperties(properties, props, v);
  v.publisher_id = toStr(publisherId);
  return v;
}

}  // namespace

mqgw_message_view viewOfPublish(const mqtt::Publish& p, std::string_view publisherId,
                                std::vector<mqgw_user_prop>& props) {
  return viewOf(p.topic, p.payload, p.qos, p.retain, p.properties, publisherId, props);
}

mqgw_message_view viewOfWill(const mqtt::Will& w, std::string_view publisherId,
                             std::vector<mqgw_user_prop>& props) {
  return viewOf(w.topic, w.payload, w.qos, w.retain, w.properties, publisherId, props);
}

bool publishOfView(const mqgw_message_view& v, mqgw_str topic, uint8_t qos, bool retain,
                   std::span<const uint32_t> subscriptionIds, uint64_t nowWallMs,
                   mqtt::Publish& out) {
  out.dup = false;
  out.qos = qos;
  out.retain = retain;
  out.topic = toView(topic);
  out.payload = toView(v.payload);
  out.packetId = 0;
  mqtt::Properties& pr = out.properties;
  pr.messageExpiryInterval.reset();
  if (v.has_expiry) {
    // Forward the remaining lifetime, as MQTT 5 3.3.2.3.3 asks.
    uint64_t ageS = nowWallMs > v.created_ms ? (nowWallMs - v.created_ms) / 1000 : 0;
    if (ageS >= v.expiry_interval_s) return false;
    pr.messageExpiryInterval = static_cast<uint32_t>(v.expiry_interval_s - ageS);
  }
  if (v.payload_format)
    pr.payloadFormatIndicator = v.payload_format;
  else
    pr.payloadFormatIndicator.reset();
  pr.contentType = optView(v.content_type);
  pr.responseTopic = optView(v.response_topic);
  pr.correlationData = optView(v.correlation_data);
  pr.userProperties.clear();
  for (uint32_t i = 0; i < v.user_prop_count; ++i)
    pr.userProperties.push_back({toView(v.user_props[i].key), toView(v.user_props[i].value)});
  pr.subscriptionIdentifiers.clear();
  for (uint32_t id : subscriptionIds)
    if (id) pr.subscriptionIdentifiers.push_back(id);
  return true;
}

}  // namespace mqgw::mqttfe
