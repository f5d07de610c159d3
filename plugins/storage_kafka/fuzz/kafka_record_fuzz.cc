// libFuzzer target for decodeRecord (kafka_record.h): a Kafka record's headers, value and
// timestamp, as any producer on the cluster may write them, laid out as record_input.h says.
// A record that decodes must be an MQTT message (a topic, QoS 0-2, the record's value as its
// payload), keep the ID and created time its headers carry, and survive recordHeaders →
// decodeRecord with every field unchanged and the same headers written again.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/record_input.h"
#include "kafka_record.h"
#include "testing/fake_storage_host.h"

namespace {

using namespace mqgw::kafka;
using mqgw::kafka::fuzz::RecordInput;
using mqgw::cluster::testing::FakeHost;

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "kafka_record_fuzz: %s\n", what);
  std::abort();
}

std::string_view sv(mqgw_str s) { return {s.ptr, s.len}; }

rd_kafka_headers_t* buildHeaders(const RecordInput& in) {
  if (in.nullHeaders) return nullptr;
  rd_kafka_headers_t* h = rd_kafka_headers_new(in.headers.size());
  for (const auto& [name, nullValue, value] : in.headers)
    rd_kafka_header_add(h, name.data(), static_cast<ssize_t>(name.size()),
                        nullValue ? nullptr : value.data(), static_cast<ssize_t>(value.size()));
  return h;
}

// The value of the last header called `name` as Kafka hands names out (up to a NUL).
std::optional<std::string> lastHeader(const RecordInput& in, std::string_view name) {
  std::optional<std::string> found;
  if (in.nullHeaders) return found;
  for (const auto& h : in.headers)
    if (std::string_view(h.name.c_str()) == name) found = h.value;
  return found;
}

bool isMessageId(const std::string& text, uint8_t* id) {
  if (text.size() != 32) return false;
  for (size_t i = 0; i < 16; ++i) {
    unsigned byte = 0;
    for (char c : text.substr(2 * i, 2)) {
      const char* digits = "0123456789abcdef0123456789ABCDEF";
      const char* at = c ? std::strchr(digits, c) : nullptr;
      if (!at) return false;
      byte = byte << 4 | static_cast<unsigned>((at - digits) % 16);
    }
    id[i] = static_cast<uint8_t>(byte);
  }
  return true;
}

// What the input's headers say about ID and time, checked against the decoded message.
void checkIdAndTime(const RecordInput& in, const mqgw_message& m) {
  const std::optional<std::string> idText = lastHeader(in, "mqtt.message_id");
  uint8_t id[16];
  const bool hasId = idText && isMessageId(*idText, id);
  if (m.restored != hasId) bug("restored (kept ID) differs from a valid mqtt.message_id");
  if (hasId && std::memcmp(m.view.id, id, sizeof id) != 0) bug("message ID changed");
  if (hasId && !lastHeader(in, "mqtt.created_ms")) {
    const uint64_t expected = in.timestampMs > 0 ? static_cast<uint64_t>(in.timestampMs) : 0;
    if (m.view.created_ms != expected) bug("created_ms is not the record's timestamp");
  }
}

void checkMessage(const RecordInput& in, const mqgw_message& m) {
  const mqgw_message_view& v = m.view;
  if (v.topic.len == 0 || v.qos > 2) bug("decoded a message without topic or with QoS > 2");
  if (sv(v.payload) != (in.nullValue ? std::string_view() : in.value)) bug("payload != value");
  if (v.payload_format > 1 || v.retain > 1) bug("a flag is neither 0 nor 1");
  if (v.content_type.len > 65535 || v.response_topic.len > 65535 ||
      v.correlation_data.len > 65535 || v.publisher_id.len > 65535)
    bug("a string longer than MQTT allows");
  checkIdAndTime(in, m);
}

bool sameMessage(const mqgw_message& a, const mqgw_message& b) {
  const mqgw_message_view &x = a.view, &y = b.view;
  return a.topic == b.topic && a.payload == b.payload && x.qos == y.qos && x.retain == y.retain &&
         x.payload_format == y.payload_format && x.has_expiry == y.has_expiry &&
         (!x.has_expiry || x.expiry_interval_s == y.expiry_interval_s) &&
         a.contentType == b.contentType && a.responseTopic == b.responseTopic &&
         a.correlationData == b.correlationData && a.userProps == b.userProps &&
         a.publisherId == b.publisherId && x.created_ms == y.created_ms &&
         std::memcmp(x.id, y.id, sizeof x.id) == 0;
}

std::vector<std::pair<std::string, std::string>> headerList(const rd_kafka_headers_t* h) {
  std::vector<std::pair<std::string, std::string>> out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(h, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
    out.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "");
  return out;
}

// recordHeaders → decodeRecord gives the same message (with its ID kept) and the same headers.
void checkRoundTrip(const mqgw_host_api* host, const mqgw_message& m) {
  rd_kafka_headers_t* headers = recordHeaders(m.view);
  mqgw_message* again = decodeRecord(host, headers, m.payload.data(), m.payload.size(), -1);
  if (!again) bug("re-encoded message does not decode");
  if (!again->restored) bug("re-encoded message lost its ID");
  if (!sameMessage(m, *again)) bug("round trip changed fields");
  rd_kafka_headers_t* second = recordHeaders(again->view);
  if (headerList(second) != headerList(headers)) bug("headers are not stable");
  rd_kafka_headers_destroy(second);
  rd_kafka_headers_destroy(headers);
  host->message_unref(again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RecordInput in;
  if (!mqgw::kafka::fuzz::parseRecordInput({reinterpret_cast<const char*>(data), size}, &in))
    return 0;
  const mqgw_host_api* host = FakeHost::instance().api();
  rd_kafka_headers_t* headers = buildHeaders(in);
  mqgw_message* m = decodeRecord(host, headers, in.nullValue ? nullptr : in.value.data(),
                                 in.value.size(), in.timestampMs);
  if (m) {
    checkMessage(in, *m);
    checkRoundTrip(host, *m);
    host->message_unref(m);
  }
  if (headers) rd_kafka_headers_destroy(headers);
  return 0;
}
