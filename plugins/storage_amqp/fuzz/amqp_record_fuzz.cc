// libFuzzer target for decodeMessage and foreignMessage (amqp_record.h): an AMQP delivery's
// properties, headers table (in wire form, through amqp_decode_table) and body, as any AMQP
// client with access to an instance exchange may write them, laid out as delivery_input.h says.
// A delivery that decodes must be an MQTT message (a topic, QoS 0-2, the body as payload),
// keep the ID its message_id carries, and survive encodeMessage → decodeMessage with every
// field unchanged and the same headers written again. A foreign message keeps the topic it was
// given and the body, and never claims a kept ID.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "amqp_connection.h"
#include "amqp_record.h"
#include "amqp_test_host.h"
#include "fuzz/delivery_input.h"

namespace {

using namespace mqgw::amqp;
using mqgw::amqp::fuzz::DeliveryInput;
using mqgw::amqp::testing::FakeHost;

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "amqp_record_fuzz: %s\n", what);
  std::abort();
}

bool isMessageId(const std::string& text) {
  if (text.size() != 32) return false;
  for (char c : text)
    if (!std::strchr("0123456789abcdefABCDEF", c) || c == '\0') return false;
  return true;
}

void checkStrings(const mqgw_message& m) {
  const mqgw_message_view& v = m.view;
  if (v.content_type.len > 65535 || v.response_topic.len > 65535 ||
      v.correlation_data.len > 65535 || v.publisher_id.len > 65535 || v.topic.len > 65535)
    bug("a string longer than MQTT allows");
  for (const auto& [key, value] : m.userProps)
    if (key.size() > 65535 || value.size() > 65535) bug("a user property longer than MQTT allows");
}

void checkMessage(const DeliveryInput& in, const mqgw_message& m) {
  const mqgw_message_view& v = m.view;
  if (v.topic.len == 0 || v.qos > 2) bug("decoded a message without topic or with QoS > 2");
  if (m.payload != in.body) bug("payload != body");
  if (v.payload_format > 1 || v.retain > 1 || v.has_expiry > 1) bug("a flag is neither 0 nor 1");
  checkStrings(m);
  const bool hasId = in.props.hasMessageId && isMessageId(in.props.messageId);
  if (m.restored != hasId) bug("restored (kept ID) differs from a valid message_id");
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

std::string wireOf(OutgoingMessage& out) {
  const amqp_basic_properties_t& p = out.properties();
  std::string s = mqgw::amqp::testing::encodeTable(p.headers);
  s.push_back('|');
  if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
    s.append(static_cast<const char*>(p.content_type.bytes), p.content_type.len);
  return s;
}

// encodeMessage → decodeMessage gives the same message (with its ID kept) and the same headers.
void checkRoundTrip(const mqgw_host_api* host, const mqgw_message& m) {
  OutgoingMessage out;
  encodeMessage(host, &m, &out);
  for (int i = 0; i < out.properties().headers.num_entries; ++i)
    if (out.properties().headers.entries[i].key.len > 255) bug("a header name over 255 bytes");
  Delivery d;
  if (!mqgw::amqp::testing::fillDelivery(&d, out.properties(), out.body()))
    bug("encoded headers do not decode");
  mqgw_message* again = decodeMessage(host, d);
  if (!again) bug("re-encoded message does not decode");
  if (!again->restored) bug("re-encoded message lost its ID");
  if (!sameMessage(m, *again)) bug("round trip changed fields");
  OutgoingMessage second;
  encodeMessage(host, again, &second);
  if (wireOf(second) != wireOf(out)) bug("headers are not stable");
  host->message_unref(again);
}

void checkForeign(const DeliveryInput& in, const mqgw_message& m) {
  if (m.topic != in.foreignTopic || m.topic.empty()) bug("foreign message changed its topic");
  if (m.payload != in.body) bug("foreign payload != body");
  if (m.restored) bug("a foreign message kept an ID");
  if (m.view.qos > 2 || m.view.retain != 0) bug("foreign QoS > 2 or retained");
  checkStrings(m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DeliveryInput in;
  if (!mqgw::amqp::fuzz::parseDeliveryInput({reinterpret_cast<const char*>(data), size}, &in))
    return 0;
  const mqgw_host_api* host = FakeHost::instance().api();
  Delivery d;
  if (!mqgw::amqp::testing::fillDelivery(&d, in.table, in.props, in.body)) return 0;
  if (mqgw_message* m = decodeMessage(host, d)) {
    checkMessage(in, *m);
    checkRoundTrip(host, *m);
    host->message_unref(m);
  }
  if (mqgw_message* f = foreignMessage(host, d, in.foreignTopic)) {
    checkForeign(in, *f);
    host->message_unref(f);
  }
  return 0;
}
