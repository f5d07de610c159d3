#include "kafka_record.h"

#include <string>
#include <string_view>

namespace mqgw::kafka {
namespace {

void add(rd_kafka_headers_t* h, std::string_view name, mqgw_str value) {
  rd_kafka_header_add(h, name.data(), static_cast<ssize_t>(name.size()), value.ptr,
                      static_cast<ssize_t>(value.len));
}

void add(rd_kafka_headers_t* h, std::string_view name, const std::string& value) {
  add(h, name, mqgw_str{value.data(), value.size()});
}

std::string hex(const uint8_t* bytes, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

rd_kafka_headers_t* recordHeaders(const mqgw_message_view& m) {
  rd_kafka_headers_t* h = rd_kafka_headers_new(6 + m.user_prop_count);
  add(h, "mqtt.topic", m.topic);
  add(h, "mqtt.qos", std::to_string(m.qos));
  add(h, "mqtt.retain", std::string(m.retain ? "1" : "0"));
  add(h, "mqtt.client_id", m.publisher_id);
  add(h, "mqtt.message_id", hex(m.id, sizeof m.id));
  if (m.content_type.len > 0) add(h, "mqtt.content_type", m.content_type);
  std::string name;
  for (uint32_t i = 0; i < m.user_prop_count; ++i) {
    const mqgw_user_prop& p = m.user_props[i];
    name.assign("mqtt.user.").append(p.key.ptr, p.key.len);
    add(h, name, p.value);
  }
  return h;
}

}  // namespace mqgw::kafka
