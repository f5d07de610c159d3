// MQTT messages to Kafka record headers and back: every MQTT 5 property survives, and records
// that are not MQTT messages (someone else's, or damaged) are refused.
#include "kafka_record.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "testing/fake_storage_host.h"

namespace mqgw::kafka {
namespace {

using cluster::testing::FakeHost;

mqgw_str str(const char* s) { return {s, strlen(s)}; }

struct MessageDeleter {
  void operator()(mqgw_message* m) const { delete m; }
};
using Decoded = std::unique_ptr<mqgw_message, MessageDeleter>;

struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
};
using Headers = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;

mqgw_message_view fullView(const mqgw_user_prop* props, uint32_t nProps) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = str("plant/7/temp");
  v.payload = str("21.5");
  v.qos = 2;
  v.retain = 1;
  v.payload_format = 1;
  v.has_expiry = 1;
  v.expiry_interval_s = 3600;
  v.content_type = str("text/plain");
  v.response_topic = str("plant/7/replies");
  v.correlation_data = {"\x00\x01\xff", 3};
  v.user_props = props;
  v.user_prop_count = nProps;
  v.publisher_id = str("sensor-7");
  v.created_ms = 1717171717123;
  for (int i = 0; i < 16; ++i) v.id[i] = static_cast<uint8_t>(0xf0 + i);
  return v;
}

Decoded decode(const rd_kafka_headers_t* h, const std::string& value, int64_t ts = -1) {
  return Decoded(decodeRecord(FakeHost::instance().api(), h, value.data(), value.size(), ts));
}

std::string header(const rd_kafka_headers_t* h, const char* name) {
  const void* v = nullptr;
  size_t n = 0;
  if (rd_kafka_header_get_last(h, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR) return "<absent>";
  return std::string(static_cast<const char*>(v), n);
}

TEST(KafkaRecord, EveryPropertySurvivesTheRoundTrip) {
  mqgw_user_prop props[] = {
      {str("unit"), str("C")}, {str("unit"), str("K")}, {str("a b"), str("")}};
  mqgw_message_view in = fullView(props, 3);
  Headers h(recordHeaders(in));
  Decoded out = decode(h.get(), "21.5");
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->restored);
  const mqgw_message_view& v = out->view;
  EXPECT_EQ(out->topic, "plant/7/temp");
  EXPECT_EQ(out->payload, "21.5");
  EXPECT_EQ(v.qos, 2);
  EXPECT_EQ(v.retain, 1);
  EXPECT_EQ(v.payload_format, 1);
  EXPECT_EQ(v.has_expiry, 1);
  EXPECT_EQ(v.expiry_interval_s, 3600u);
  EXPECT_EQ(out->contentType, "text/plain");
  EXPECT_EQ(out->responseTopic, "plant/7/replies");
  EXPECT_EQ(out->correlationData, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(out->publisherId, "sensor-7");
  EXPECT_EQ(v.created_ms, 1717171717123u);
  EXPECT_EQ(0, memcmp(v.id, in.id, 16));
  ASSERT_EQ(out->userProps.size(), 3u);
  EXPECT_EQ(out->userProps[0], std::make_pair(std::string("unit"), std::string("C")));
  EXPECT_EQ(out->userProps[1], std::make_pair(std::string("unit"), std::string("K")));
  EXPECT_EQ(out->userProps[2], std::make_pair(std::string("a b"), std::string("")));
}

TEST(KafkaRecord, OptionalHeadersOnlyWhenSet) {
  mqgw_message_view in = fullView(nullptr, 0);
  in.payload_format = 0;
  in.has_expiry = 0;
  in.content_type = in.response_topic = in.correlation_data = {"", 0};
  in.qos = 0;
  in.retain = 0;
  Headers h(recordHeaders(in));
  EXPECT_EQ(header(h.get(), "mqtt.payload_format"), "<absent>");
  EXPECT_EQ(header(h.get(), "mqtt.expiry"), "<absent>");
  EXPECT_EQ(header(h.get(), "mqtt.response_topic"), "<absent>");
  EXPECT_EQ(header(h.get(), "mqtt.correlation_data"), "<absent>");
  EXPECT_EQ(header(h.get(), "mqtt.created_ms"), "1717171717123");
  EXPECT_EQ(header(h.get(), "mqtt.message_id"), "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  Decoded out = decode(h.get(), "");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->view.payload_format, 0);
  EXPECT_EQ(out->view.has_expiry, 0);
  EXPECT_EQ(out->view.qos, 0);
  EXPECT_EQ(out->view.retain, 0);
  EXPECT_EQ(out->correlationData, "");
}

TEST(KafkaRecord, ZeroExpiryIsStillAnExpiry) {
  mqgw_message_view in = fullView(nullptr, 0);
  in.expiry_interval_s = 0;
  Headers h(recordHeaders(in));
  Decoded out = decode(h.get(), "x");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->view.has_expiry, 1);
  EXPECT_EQ(out->view.expiry_interval_s, 0u);
}

TEST(KafkaRecord, NullValueIsAnEmptyPayload) {
  mqgw_message_view in = fullView(nullptr, 0);
  Headers h(recordHeaders(in));
  Decoded out(decodeRecord(FakeHost::instance().api(), h.get(), nullptr, 0, -1));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->payload, "");
  EXPECT_NE(out->view.payload.ptr, nullptr);
}

TEST(KafkaRecord, WithoutCreatedTimeTheRecordTimestampIsUsed) {
  mqgw_message_view in = fullView(nullptr, 0);
  Headers h(recordHeaders(in));
  rd_kafka_header_remove(h.get(), "mqtt.created_ms");
  Decoded out = decode(h.get(), "x", 1700000000555);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->restored);
  EXPECT_EQ(out->view.created_ms, 1700000000555u);
}

TEST(KafkaRecord, WithoutMessageIdTheCoreMakesANewMessage) {
  Headers h(rd_kafka_headers_new(2));
  rd_kafka_header_add(h.get(), "mqtt.topic", -1, "a/b", -1);
  rd_kafka_header_add(h.get(), "mqtt.qos", -1, "1", -1);
  Decoded out = decode(h.get(), "v");
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->restored);
  EXPECT_EQ(out->topic, "a/b");
  EXPECT_EQ(out->view.qos, 1);
}

// A record whose headers were edited by someone: each case is refused, not delivered.
TEST(KafkaRecord, RefusesRecordsThatAreNotMqttMessages) {
  struct Case {
    const char* name;
    const char* header;
    std::string value;
  };
  const Case cases[] = {
      {"no topic", "mqtt.topic", ""},  // removed below
      {"empty topic", "mqtt.topic", ""},
      {"wildcard topic", "mqtt.topic", "a/+/b"},
      {"NUL in topic", "mqtt.topic", std::string("a\0b", 3)},
      {"bad UTF-8 topic", "mqtt.topic", "a/\xc3"},
      {"overlong UTF-8", "mqtt.topic", "a/\xc0\xaf"},
      {"surrogate", "mqtt.topic", "a/\xed\xa0\x80"},
      {"qos 3", "mqtt.qos", "3"},
      {"qos word", "mqtt.qos", "one"},
      {"qos empty", "mqtt.qos", ""},
      {"bad user value", "mqtt.user.k", "\xff"},
      {"bad content type", "mqtt.content_type", std::string("\0", 1)},
      {"wildcard response topic", "mqtt.response_topic", "r/#"},
  };
  for (const Case& c : cases) {
    Headers h(recordHeaders(fullView(nullptr, 0)));
    rd_kafka_header_remove(h.get(), c.header);
    if (std::string(c.name) != "no topic")
      rd_kafka_header_add(h.get(), c.header, -1, c.value.data(),
                          static_cast<ssize_t>(c.value.size()));
    EXPECT_FALSE(decode(h.get(), "x")) << c.name;
  }
  EXPECT_FALSE(decode(nullptr, "x")) << "no headers";
}

TEST(KafkaRecord, AcceptsFourByteUtf8AndIgnoresUnknownHeaders) {
  Headers h(recordHeaders(fullView(nullptr, 0)));
  rd_kafka_header_remove(h.get(), "mqtt.topic");
  rd_kafka_header_add(h.get(), "mqtt.topic", -1, "caf\xc3\xa9/\xf0\x9f\x98\x80", -1);
  rd_kafka_header_add(h.get(), "trace-id", -1, "\xff\xfe", 2);
  rd_kafka_header_add(h.get(), "mqtt.future", -1, nullptr, 0);
  Decoded out = decode(h.get(), "x");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->topic, "caf\xc3\xa9/\xf0\x9f\x98\x80");
}

}  // namespace
}  // namespace mqgw::kafka
