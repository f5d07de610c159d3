// MQTT messages as AMQP messages and back (amqp_record.h), without a broker: the headers go
// through their wire form (amqp_encode_table → amqp_decode_table) into a Delivery.
#include "amqp_record.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "amqp_connection.h"
#include "amqp_test_host.h"

namespace mqgw::amqp {
namespace {

using testing::FakeHost;
using testing::fillDelivery;
using Props = std::vector<std::pair<std::string, std::string>>;

const mqgw_host_api* host() { return FakeHost::instance().api(); }

struct Unref {
  void operator()(mqgw_message* m) const { host()->message_unref(m); }
};
using MessagePtr = std::unique_ptr<mqgw_message, Unref>;

mqgw_str str(const std::string& s) { return {s.data(), s.size()}; }
std::string text(amqp_bytes_t b) {
  return b.len ? std::string(static_cast<const char*>(b.bytes), b.len) : std::string();
}

// An MQTT message as the core hands it to append; the strings live in the message (copied).
MessagePtr makeMessage(const std::string& topic, const std::string& payload, const Props& props,
                       const std::function<void(mqgw_message_view&)>& more = {}) {
  std::vector<mqgw_user_prop> views;
  for (const auto& [k, v] : props) views.push_back({str(k), str(v)});
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = str(topic);
  v.payload = str(payload);
  v.qos = 1;
  v.user_props = views.data();
  v.user_prop_count = static_cast<uint32_t>(views.size());
  v.publisher_id = {"sensor-7", 8};
  v.created_ms = 1717171717123;
  for (int i = 0; i < 16; ++i) v.id[i] = static_cast<uint8_t>(0xa0 + i);
  if (more) more(v);
  return MessagePtr(host()->message_create(&v));
}

MessagePtr decode(OutgoingMessage& out) {
  Delivery d;
  EXPECT_TRUE(fillDelivery(&d, out.properties(), out.body()));
  return MessagePtr(decodeMessage(host(), d));
}

MessagePtr roundTrip(const mqgw_message* m, OutgoingMessage* out) {
  encodeMessage(host(), m, out);
  return decode(*out);
}

std::vector<std::string> headerNames(OutgoingMessage& out) {
  std::vector<std::string> names;
  const amqp_table_t& h = out.properties().headers;
  for (int i = 0; i < h.num_entries; ++i) names.push_back(text(h.entries[i].key));
  return names;
}

const amqp_field_value_t* findHeader(OutgoingMessage& out, const std::string& name) {
  const amqp_table_t& h = out.properties().headers;
  for (int i = 0; i < h.num_entries; ++i)
    if (text(h.entries[i].key) == name) return &h.entries[i].value;
  return nullptr;
}

TEST(AmqpRecord, EveryMqtt5PropertySurvives) {
  const std::string corr("\x00\x01\xff", 3), payload("21.5\0\xff", 6);
  MessagePtr m = makeMessage("$i/mqtt-1/plant/7/temp", payload, {{"unit", "C"}, {"a b", ""}},
                             [&](mqgw_message_view& v) {
                               v.qos = 2;
                               v.retain = 1;
                               v.payload_format = 1;
                               v.has_expiry = 1;
                               v.expiry_interval_s = 4000000000u;
                               v.content_type = {"text/plain", 10};
                               v.response_topic = {"plant/7/replies", 15};
                               v.correlation_data = str(corr);
                             });
  OutgoingMessage out;
  MessagePtr back = roundTrip(m.get(), &out);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->restored);
  EXPECT_EQ(back->topic, "$i/mqtt-1/plant/7/temp");
  EXPECT_EQ(back->payload, payload);
  EXPECT_EQ(back->view.qos, 2);
  EXPECT_EQ(back->view.retain, 1);
  EXPECT_EQ(back->view.payload_format, 1);
  EXPECT_EQ(back->view.has_expiry, 1);
  EXPECT_EQ(back->view.expiry_interval_s, 4000000000u);
  EXPECT_EQ(back->contentType, "text/plain");
  EXPECT_EQ(back->responseTopic, "plant/7/replies");
  EXPECT_EQ(back->correlationData, corr);
  EXPECT_EQ(back->publisherId, "sensor-7");
  EXPECT_EQ(back->userProps, (Props{{"unit", "C"}, {"a b", ""}}));
  EXPECT_EQ(back->view.created_ms, 1717171717123u);
  EXPECT_EQ(std::memcmp(back->view.id, m->view.id, 16), 0);
}

TEST(AmqpRecord, PropertiesAndHeadersAreTheDocumentedOnes) {
  MessagePtr m = makeMessage("a/b", "x", {{"k", "v"}}, [](mqgw_message_view& v) {
    v.content_type = {"application/json", 16};
    v.has_expiry = 1;
    v.expiry_interval_s = 60;
    v.payload_format = 1;
    v.response_topic = {"r", 1};
    v.correlation_data = {"c", 1};
  });
  OutgoingMessage out;
  encodeMessage(host(), m.get(), &out);
  const amqp_basic_properties_t& p = out.properties();
  EXPECT_EQ(out.body(), "x");
  ASSERT_TRUE(p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG);
  EXPECT_EQ(p.delivery_mode, 2);
  ASSERT_TRUE(p._flags & AMQP_BASIC_MESSAGE_ID_FLAG);
  EXPECT_EQ(text(p.message_id), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  ASSERT_TRUE(p._flags & AMQP_BASIC_TIMESTAMP_FLAG);
  EXPECT_EQ(p.timestamp, 1717171717u);
  ASSERT_TRUE(p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG);
  EXPECT_EQ(text(p.content_type), "application/json");
  EXPECT_EQ(headerNames(out),
            (std::vector<std::string>{"mqtt.topic", "x-mqtt-publish-qos", "mqtt.retain",
                                      "mqtt.client_id", "mqtt.created_ms", "mqtt.payload_format",
                                      "mqtt.expiry", "mqtt.response_topic",
                                      "mqtt.correlation_data", "mqtt.user.k"}));
  EXPECT_EQ(findHeader(out, "x-mqtt-publish-qos")->kind, AMQP_FIELD_KIND_I8);
  EXPECT_EQ(findHeader(out, "x-mqtt-publish-qos")->value.i8, 1);
  EXPECT_EQ(findHeader(out, "mqtt.retain")->kind, AMQP_FIELD_KIND_BOOLEAN);
  EXPECT_EQ(findHeader(out, "mqtt.created_ms")->kind, AMQP_FIELD_KIND_I64);
  EXPECT_EQ(findHeader(out, "mqtt.expiry")->value.i64, 60);
  EXPECT_EQ(findHeader(out, "mqtt.correlation_data")->kind, AMQP_FIELD_KIND_BYTES);
  EXPECT_EQ(findHeader(out, "mqtt.user.k")->kind, AMQP_FIELD_KIND_UTF8);
}

TEST(AmqpRecord, MinimalMessageHasNoOptionalFields) {
  MessagePtr m = makeMessage("a", "", {}, [](mqgw_message_view& v) {
    v.qos = 0;
    v.publisher_id = {};
  });
  OutgoingMessage out;
  MessagePtr back = roundTrip(m.get(), &out);
  ASSERT_TRUE(back);
  EXPECT_EQ(headerNames(out).size(), 5u);
  EXPECT_FALSE(out.properties()._flags & AMQP_BASIC_CONTENT_TYPE_FLAG);
  EXPECT_EQ(back->view.qos, 0);
  EXPECT_EQ(back->view.has_expiry, 0);
  EXPECT_EQ(back->view.payload_format, 0);
  EXPECT_EQ(back->view.retain, 0);
  EXPECT_EQ(back->payload, "");
  EXPECT_EQ(back->publisherId, "");
  EXPECT_EQ(back->contentType, "");
  EXPECT_TRUE(back->userProps.empty());
}

TEST(AmqpRecord, RepeatedUserPropertyKeysStayRepeatedAndOrdered) {
  Props props{{"b", "1"}, {"a", "2"}, {"b", "3"}, {"a", "4"}};
  MessagePtr m = makeMessage("t", "p", props);
  OutgoingMessage out;
  MessagePtr back = roundTrip(m.get(), &out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->userProps, props);
  // Plain AMQP readers see one scalar header per key, its first value; no AMQP arrays at all,
  // since a stream drops array-valued headers.
  const amqp_field_value_t* b = findHeader(out, "mqtt.user.b");
  ASSERT_TRUE(b);
  ASSERT_EQ(b->kind, AMQP_FIELD_KIND_UTF8);
  EXPECT_EQ(text(b->value.bytes), "1");
  const amqp_table_t& h = out.properties().headers;
  for (int i = 0; i < h.num_entries; ++i) EXPECT_NE(h.entries[i].value.kind, AMQP_FIELD_KIND_ARRAY);
  const amqp_field_value_t* list = findHeader(out, "mqtt.user_properties");
  ASSERT_TRUE(list);
  EXPECT_EQ(text(list->value.bytes), R"([["b","1"],["a","2"],["b","3"],["a","4"]])");

  Props one{{"k", "v"}};
  MessagePtr single = makeMessage("t", "p", one);
  OutgoingMessage out2;
  back = roundTrip(single.get(), &out2);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->userProps, one);
  EXPECT_FALSE(findHeader(out2, "mqtt.user_properties"));  // one property: its header says it all
}

// RabbitMQ hands a stream's headers back sorted by name: the exact list still rules.
TEST(AmqpRecord, HeadersSortedByTheBrokerKeepTheUserPropertyOrder) {
  Props props{{"z", "1"}, {"a", "2"}};
  MessagePtr m = makeMessage("t", "p", props);
  OutgoingMessage out;
  encodeMessage(host(), m.get(), &out);
  amqp_basic_properties_t sorted = out.properties();
  std::vector<amqp_table_entry_t> entries(sorted.headers.entries,
                                          sorted.headers.entries + sorted.headers.num_entries);
  std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) {
    return text(x.key) < text(y.key);
  });
  sorted.headers.entries = entries.data();
  Delivery d;
  ASSERT_TRUE(fillDelivery(&d, sorted, out.body()));
  MessagePtr back(decodeMessage(host(), d));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->userProps, props);
}

TEST(AmqpRecord, LongKeyAndContentTypeUseTheFallbackHeaders) {
  const std::string longKey(300, 'k'), longType(300, 't'), fitKey(245, 'f');
  MessagePtr m = makeMessage("t", "p", {{longKey, "v"}, {fitKey, "w"}},
                             [&](mqgw_message_view& v) { v.content_type = str(longType); });
  OutgoingMessage out;
  MessagePtr back = roundTrip(m.get(), &out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->userProps, (Props{{longKey, "v"}, {fitKey, "w"}}));
  EXPECT_EQ(back->contentType, longType);
  EXPECT_FALSE(out.properties()._flags & AMQP_BASIC_CONTENT_TYPE_FLAG);
  EXPECT_TRUE(findHeader(out, "mqtt.content_type"));
  EXPECT_TRUE(findHeader(out, "mqtt.user." + fitKey));  // exactly 255 bytes: still a header
  for (const std::string& name : headerNames(out)) EXPECT_LE(name.size(), 255u);
}

TEST(AmqpRecord, MovedMessagePointsAtItsOwnStorage) {
  MessagePtr m = makeMessage("a/b", "payload", {{"k", "v"}},
                             [](mqgw_message_view& v) { v.content_type = {"ct", 2}; });
  OutgoingMessage first;
  encodeMessage(host(), m.get(), &first);
  size_t bytes = first.bytes();
  EXPECT_GE(bytes, std::string("payload").size() + 32);
  OutgoingMessage moved(std::move(first));
  OutgoingMessage assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.bytes(), bytes);
  MessagePtr back = decode(assigned);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->contentType, "ct");
  EXPECT_EQ(back->userProps, (Props{{"k", "v"}}));
}

// ---- messages the gateway did not write ----

// A delivery whose headers are written by `headers`, with the given properties.
MessagePtr decodeWith(const std::function<void(OutgoingMessage&)>& headers,
                      const std::string& body = "b") {
  OutgoingMessage out;
  out.setBody(body);
  headers(out);
  return decode(out);
}

void ours(OutgoingMessage& o, const std::string& topic = "a/b") {
  o.addString("mqtt.topic", topic);
  o.addInt8("x-mqtt-publish-qos", 1);
}

TEST(AmqpRecord, RefusesMissingOrInvalidTopicAndQos) {
  EXPECT_TRUE(decodeWith([](OutgoingMessage& o) { ours(o); }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { o.addInt8("x-mqtt-publish-qos", 1); }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { o.addString("mqtt.topic", "a"); }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { ours(o, ""); }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { ours(o, "a/+"); }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { ours(o, std::string("a\0b", 3)); }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { ours(o, "a\xff"); }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { ours(o, "\xed\xa0\x80"); }));  // surrogate
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { ours(o, "\xc0\xaf"); }));      // overlong
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) { o.addInt64("mqtt.topic", 1); ours(o); }));
  for (int64_t bad : {-1, 3, 100}) {
    EXPECT_FALSE(decodeWith([&](OutgoingMessage& o) {
      o.addString("mqtt.topic", "a");
      o.addInt64("x-mqtt-publish-qos", bad);
    })) << bad;
  }
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) {
    o.addString("mqtt.topic", "a");
    o.addBool("x-mqtt-publish-qos", true);
  }));
  // any integer kind, as other AMQP clients write it
  MessagePtr asInt64 = decodeWith([](OutgoingMessage& o) {
    o.addString("mqtt.topic", "a");
    o.addInt64("x-mqtt-publish-qos", 2);
  });
  ASSERT_TRUE(asInt64);
  EXPECT_EQ(asInt64->view.qos, 2);
}

TEST(AmqpRecord, RefusesStringsThatAreNotMqttUtf8) {
  const std::string bad = "x\xc3", nul("x\0y", 3);
  for (const std::string& b : {bad, nul}) {
    EXPECT_FALSE(decodeWith([&](OutgoingMessage& o) {
      ours(o);
      o.addString("mqtt.client_id", b);
    }));
    EXPECT_FALSE(decodeWith([&](OutgoingMessage& o) {
      ours(o);
      o.setContentType(b);
    }));
    EXPECT_FALSE(decodeWith([&](OutgoingMessage& o) {
      ours(o);
      o.addString("mqtt.user.k", b);
    }));
    EXPECT_FALSE(decodeWith([&](OutgoingMessage& o) {
      ours(o);
      o.addString("mqtt.user." + b, "v");
    }));
    EXPECT_FALSE(decodeWith([&](OutgoingMessage& o) {
      ours(o);
      o.addString("mqtt.user_properties", "[[\"k\", \"" + b + "\"]]");
    }));
  }
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.addString("mqtt.response_topic", "r/#");
  }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.addBytes("mqtt.correlation_data", std::string(65536, 'c'));
  }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.addString("mqtt.user_properties", "[[\"odd\"]]");
  }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.addString("mqtt.user_properties", "[[\"k\", \"\\u0000\"]]");  // U+0000: not MQTT UTF-8
  }));
  EXPECT_FALSE(decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.addString("mqtt.user_properties", "[[\"k\", \"v\"]");  // not JSON
  }));
  MessagePtr longest = decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.addBytes("mqtt.correlation_data", std::string(65535, 'c'));
  });
  ASSERT_TRUE(longest);
  EXPECT_EQ(longest->correlationData.size(), 65535u);
}

TEST(AmqpRecord, WithoutMessageIdANewIdAndTimeFromTheTimestamp) {
  MessagePtr m = decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.setTimestamp(1700000000);
  });
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->restored);  // message_create: the core gives it an ID
  EXPECT_EQ(m->view.created_ms, 1700000000000u);
  MessagePtr badId = decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.setMessageId("not-hex");
  });
  ASSERT_TRUE(badId);
  EXPECT_FALSE(badId->restored);
  MessagePtr withId = decodeWith([](OutgoingMessage& o) {
    ours(o);
    o.setMessageId("000102030405060708090A0B0C0D0E0F");
    o.setTimestamp(5);
  });
  ASSERT_TRUE(withId);
  EXPECT_TRUE(withId->restored);
  EXPECT_EQ(withId->view.id[10], 0x0a);
  EXPECT_EQ(withId->view.created_ms, 5000u);
}

MessagePtr foreign(const std::function<void(OutgoingMessage&)>& headers,
                   const std::string& topic = "devices/7", const std::string& body = "hello") {
  OutgoingMessage out;
  out.setBody(body);
  headers(out);
  Delivery d;
  EXPECT_TRUE(fillDelivery(&d, out.properties(), out.body(), "mqgw.default", "devices.7"));
  return MessagePtr(foreignMessage(host(), d, topic));
}

TEST(AmqpRecord, ForeignMessageTakesTopicBodyAndWhatItCan) {
  MessagePtr plain = foreign([](OutgoingMessage&) {});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->restored);
  EXPECT_EQ(plain->topic, "devices/7");
  EXPECT_EQ(plain->payload, "hello");
  EXPECT_EQ(plain->view.qos, 0);
  EXPECT_EQ(plain->view.retain, 0);
  EXPECT_TRUE(plain->userProps.empty());

  MessagePtr rich = foreign([](OutgoingMessage& o) {
    o.addInt8("x-mqtt-publish-qos", 1);
    o.addBool("mqtt.retain", true);  // plain AMQP publishers do not retain
    o.setContentType("application/json");
    o.addString("mqtt.user.unit", "C");
    o.addString("mqtt.user.bad", "\xff");
    o.addInt64("mqtt.user.number", 7);
    o.addStringArray("mqtt.user.multi", {"x", "y"});
    o.addString("other", "ignored");
  });
  ASSERT_TRUE(rich);
  EXPECT_EQ(rich->view.qos, 1);
  EXPECT_EQ(rich->view.retain, 0);
  EXPECT_EQ(rich->contentType, "application/json");
  EXPECT_EQ(rich->userProps, (Props{{"unit", "C"}, {"multi", "x"}, {"multi", "y"}}));

  MessagePtr badQos = foreign([](OutgoingMessage& o) { o.addInt8("x-mqtt-publish-qos", 7); });
  ASSERT_TRUE(badQos);
  EXPECT_EQ(badQos->view.qos, 0);
  EXPECT_TRUE(foreign([](OutgoingMessage& o) { o.setContentType("\xff"); }));
  EXPECT_EQ(foreign([](OutgoingMessage& o) { o.setContentType("\xff"); })->contentType, "");
}

TEST(AmqpRecord, ForeignMessageNeedsAValidTopic) {
  auto none = [](OutgoingMessage&) {};
  EXPECT_FALSE(foreign(none, ""));
  EXPECT_FALSE(foreign(none, "a/#"));
  EXPECT_FALSE(foreign(none, "a\xff"));
  EXPECT_TRUE(foreign(none, "a//b"));
}

}  // namespace
}  // namespace mqgw::amqp
