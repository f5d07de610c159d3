#include "kafka_record.h"

#include <string>
#include <string_view>
#include <vector>

#include "message_fields.h"

namespace mqgw::kafka {
namespace {

using cluster::hexOf;
using cluster::kMaxMqttString;
using cluster::mqttUtf8;
using cluster::parseHex;

constexpr std::string_view kUserPrefix = "mqtt.user.";

void add(rd_kafka_headers_t* h, std::string_view name, mqgw_str value) {
  rd_kafka_header_add(h, name.data(), static_cast<ssize_t>(name.size()), value.ptr,
                      static_cast<ssize_t>(value.len));
}

void add(rd_kafka_headers_t* h, std::string_view name, const std::string& value) {
  add(h, name, mqgw_str{value.data(), value.size()});
}

bool parseDecimal(std::string_view text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (digit > max || v > (max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

// The view being rebuilt from headers; string fields point into the headers' buffers.
struct Decoding {
  mqgw_message_view view{};
  std::vector<mqgw_user_prop> props;
  bool hasTopic = false, hasQos = false, hasId = false, hasCreated = false, valid = true;
};

mqgw_str strOf(std::string_view v) { return {v.data(), v.size()}; }

void takeString(Decoding& d, mqgw_str* field, std::string_view value) {
  if (!mqttUtf8(value)) d.valid = false;
  *field = strOf(value);
}

void takeHeader(Decoding& d, std::string_view name, std::string_view value) {
  mqgw_message_view& v = d.view;
  uint64_t n = 0;
  if (name == "mqtt.topic") {
    d.hasTopic = !value.empty();
    takeString(d, &v.topic, value);
  } else if (name == "mqtt.qos") {
    d.hasQos = parseDecimal(value, 2, &n);
    v.qos = static_cast<uint8_t>(n);
  } else if (name == "mqtt.retain") {
    v.retain = value == "1";
  } else if (name == "mqtt.client_id") {
    takeString(d, &v.publisher_id, value);
  } else if (name == "mqtt.message_id") {
    d.hasId = parseHex(value, v.id, sizeof v.id);
  } else if (name == "mqtt.created_ms") {
    d.hasCreated = parseDecimal(value, UINT64_MAX, &v.created_ms);
  } else if (name == "mqtt.payload_format") {
    v.payload_format = value == "1";
  } else if (name == "mqtt.expiry") {
    v.has_expiry = parseDecimal(value, UINT32_MAX, &n);
    v.expiry_interval_s = static_cast<uint32_t>(n);
  } else if (name == "mqtt.content_type") {
    takeString(d, &v.content_type, value);
  } else if (name == "mqtt.response_topic") {
    takeString(d, &v.response_topic, value);
  } else if (name == "mqtt.correlation_data") {
    if (value.size() > kMaxMqttString) d.valid = false;
    v.correlation_data = strOf(value);
  } else if (name.starts_with(kUserPrefix)) {
    std::string_view key = name.substr(kUserPrefix.size());
    if (!mqttUtf8(key) || !mqttUtf8(value)) d.valid = false;
    d.props.push_back({strOf(key), strOf(value)});
  }
}

bool validTopicName(const mqgw_host_api* host, mqgw_str topic) {
  return !host->topic_valid_name || host->topic_valid_name(topic) != 0;
}

}  // namespace

rd_kafka_headers_t* recordHeaders(const mqgw_message_view& m) {
  rd_kafka_headers_t* h = rd_kafka_headers_new(11 + m.user_prop_count);
  add(h, "mqtt.topic", m.topic);
  add(h, "mqtt.qos", std::to_string(m.qos));
  add(h, "mqtt.retain", std::string(m.retain ? "1" : "0"));
  add(h, "mqtt.client_id", m.publisher_id);
  add(h, "mqtt.message_id", hexOf(m.id, sizeof m.id));
  add(h, "mqtt.created_ms", std::to_string(m.created_ms));
  if (m.payload_format == 1) add(h, "mqtt.payload_format", std::string("1"));
  if (m.has_expiry) add(h, "mqtt.expiry", std::to_string(m.expiry_interval_s));
  if (m.content_type.len > 0) add(h, "mqtt.content_type", m.content_type);
  if (m.response_topic.len > 0) add(h, "mqtt.response_topic", m.response_topic);
  if (m.correlation_data.len > 0) add(h, "mqtt.correlation_data", m.correlation_data);
  std::string name;
  for (uint32_t i = 0; i < m.user_prop_count; ++i) {
    const mqgw_user_prop& p = m.user_props[i];
    name.assign(kUserPrefix).append(p.key.ptr, p.key.len);
    add(h, name, p.value);
  }
  return h;
}

mqgw_message* decodeRecord(const mqgw_host_api* host, const rd_kafka_headers_t* headers,
                           const void* value, size_t len, int64_t timestampMs) {
  Decoding d;
  const char* name = nullptr;
  const void* bytes = nullptr;
  size_t size = 0;
  for (size_t i = 0; headers && rd_kafka_header_get_all(headers, i, &name, &bytes, &size) ==
                                    RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    takeHeader(d, name, {bytes ? static_cast<const char*>(bytes) : "", bytes ? size : 0});
  }
  mqgw_message_view& v = d.view;
  if (!d.valid || !d.hasTopic || !d.hasQos || !validTopicName(host, v.topic)) return nullptr;
  if (v.response_topic.len > 0 && !validTopicName(host, v.response_topic)) return nullptr;
  v.struct_size = sizeof v;
  v.payload = {value ? static_cast<const char*>(value) : "", value ? len : 0};
  v.user_props = d.props.data();
  v.user_prop_count = static_cast<uint32_t>(d.props.size());
  if (!d.hasId) return host->message_create(&v);  // not one of ours: a new ID and time
  if (!d.hasCreated) v.created_ms = timestampMs > 0 ? static_cast<uint64_t>(timestampMs) : 0;
  return host->message_restore(&v);
}

mqgw_message* decodeRecord(const mqgw_host_api* host, const rd_kafka_message_t* m) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) headers = nullptr;
  return decodeRecord(host, headers, m->payload, m->len, rd_kafka_message_timestamp(m, nullptr));
}

}  // namespace mqgw::kafka
