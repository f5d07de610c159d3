// MQTT 5 features: topic aliases both ways, message expiry, subscription identifiers, payload
// format, reason strings, Request Problem/Response Information, Receive Maximum, keepalive.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

uint64_t wallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<uint8_t> encoded(const mqtt::Publish& p) {
  mqtt::Buffer b;
  mqtt::encodePublish(p, Version::V5, b);
  return b;
}

mqtt::Publish publish(std::string_view topic, uint8_t qos = 0, uint16_t id = 0) {
  mqtt::Publish p;
  p.topic = topic;
  p.payload = "x";
  p.qos = qos;
  p.packetId = id;
  return p;
}

mqtt::Publish aliased(std::string_view topic, uint16_t alias) {
  mqtt::Publish p = publish(topic);
  p.properties.topicAlias = alias;
  return p;
}

// Connects a v5 client whose CONNECT carries `props`; returns the CONNACK.
mqtt::Connack connectWith(Harness& h, const mqtt::Properties& props,
                          std::string_view id = "dev7", uint16_t keepAlive = 60) {
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = id;
  c.keepAlive = keepAlive;
  c.properties = props;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  EXPECT_EQ(h.feed(b), static_cast<long>(b.size()));
  static std::vector<OutPacket> packets;  // the returned views point into it
  packets = h.takePackets();
  mqtt::Connack ack;
  EXPECT_EQ(packets.size(), 1u);
  if (packets.size() == 1) {
    EXPECT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
  }
  return ack;
}

mqtt::Disconnect onlyDisconnect(Harness& h) {
  static std::vector<OutPacket> packets;  // the returned views point into it
  packets = h.takePackets();
  mqtt::Disconnect d;
  EXPECT_EQ(packets.size(), 1u);
  if (packets.size() != 1 || packets[0].type != PacketType::Disconnect) {
    ADD_FAILURE() << "no DISCONNECT";
    return d;
  }
  EXPECT_FALSE(mqtt::decodeDisconnect(packets[0].frame(), Version::V5, d));
  return d;
}

mqtt::Ack onlyAck(Harness& h) {
  static std::vector<OutPacket> packets;  // the returned views point into it
  packets = h.takePackets();
  mqtt::Ack a;
  EXPECT_EQ(packets.size(), 1u);
  if (packets.size() == 1) {
    EXPECT_FALSE(mqtt::decodeAck(packets[0].frame(), Version::V5, a));
  }
  return a;
}

std::vector<mqtt::Publish> publishes(Harness& h, std::vector<OutPacket>& keep) {
  keep = h.takePackets();
  std::vector<mqtt::Publish> out;
  for (const OutPacket& p : keep) {
    if (p.type != PacketType::Publish) continue;
    out.emplace_back();
    EXPECT_FALSE(mqtt::decodePublish(p.frame(), Version::V5, out.back()));
  }
  return out;
}


struct Msg {  // a message the test owns one ref of
  explicit Msg(mqgw_message* msg) : m(msg) {}
  Msg(std::string_view topic, uint8_t qos) : m(makeMessage(topic, "p", qos)) {}
  ~Msg() { fake().api.message_unref(m); }
  mqgw_message* m;
};

mqgw_message* expiringMessage(uint32_t intervalS, uint64_t createdMs, uint8_t qos) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {"t/e", 3};
  v.payload = {"x", 1};
  v.qos = qos;
  v.has_expiry = 1;
  v.expiry_interval_s = intervalS;
  v.created_ms = createdMs;
  return fake().api.message_create(&v);
}

// ---- CONNACK ----

TEST(Mqtt5, ConnackAnnouncesTopicAliasesAndSubscriptionIds) {
  {
    Harness h;
    mqtt::Connack ack = connectWith(h, {});
    EXPECT_EQ(ack.properties.topicAliasMaximum, 10) << "the default";
    EXPECT_EQ(ack.properties.subscriptionIdentifierAvailable, 1);
    EXPECT_FALSE(ack.properties.responseInformation) << "not requested";
  }
  Harness h(Config{{"topic_alias_maximum", "3"}});
  EXPECT_EQ(connectWith(h, {}).properties.topicAliasMaximum, 3);
}

TEST(Mqtt5, ResponseInformationOnlyWhenRequested) {
  mqtt::Properties asks;
  asks.requestResponseInformation = 1;
  {
    Harness h;
    EXPECT_EQ(connectWith(h, asks, "dev7").properties.responseInformation, "response/dev7/");
  }
  {
    Harness custom(Config{{"response_information_prefix", "replies/"}});
    EXPECT_EQ(connectWith(custom, asks, "c9").properties.responseInformation, "replies/c9/");
  }
  Harness no;
  asks.requestResponseInformation = 0;
  EXPECT_FALSE(connectWith(no, asks).properties.responseInformation);
}

TEST(Mqtt5, SmallKeepaliveIsRaisedToTheMinimum) {
  Harness h;
  fake().limits.keepalive_min_s = 30;
  mqtt::Connack ack = connectWith(h, {}, "k", 5);
  EXPECT_EQ(ack.properties.serverKeepAlive, 30);
  EXPECT_EQ(h.conn.idleTimeoutMs, 45000u) << "held to 1.5 x the raised value";
}

TEST(Mqtt5, AuthenticationMethodIsRefusedWith8CAndAReasonString) {
  Harness h;
  mqtt::Properties auth;
  auth.authenticationMethod = "SCRAM-SHA-1";
  mqtt::Connack ack = connectWith(h, auth);
  EXPECT_EQ(ack.reasonCode, 0x8C);
  EXPECT_TRUE(ack.properties.reasonString);
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST(Mqtt5, StrayAuthIsAProtocolError) {
  Harness h;
  h.connect(Version::V5);
  mqtt::Auth a;
  mqtt::Buffer b;
  mqtt::encodeAuth(a, b);
  EXPECT_EQ(h.feed(b), MQGW_E_PROTOCOL);
  EXPECT_EQ(onlyDisconnect(h).reasonCode, 0x82);
}

// ---- topic aliases ----

TEST(Mqtt5, InboundTopicAliasIsBoundThenUsed) {
  Harness h;
  h.connect(Version::V5);
  h.feed(encoded(aliased("a/b", 1)));
  h.feed(encoded(aliased("", 1)));
  h.feed(encoded(aliased("c", 1)));  // rebinding is allowed
  h.feed(encoded(aliased("", 1)));
  ASSERT_EQ(fake().publishes.size(), 4u);
  EXPECT_EQ(fake().publishes[0].msg->topic, "a/b");
  EXPECT_EQ(fake().publishes[1].msg->topic, "a/b");
  EXPECT_EQ(fake().publishes[2].msg->topic, "c");
  EXPECT_EQ(fake().publishes[3].msg->topic, "c");
  EXPECT_EQ(h.takeBytes(), "");
}

TEST(Mqtt5, InboundTopicAliasAboveTheMaximumIs94) {
  Harness h(Config{{"topic_alias_maximum", "2"}});
  h.connect(Version::V5);
  auto ok = encoded(aliased("a", 2));
  EXPECT_EQ(h.feed(ok), static_cast<long>(ok.size()));
  EXPECT_EQ(h.feed(encoded(aliased("a", 3))), MQGW_E_PROTOCOL);
  mqtt::Disconnect d = onlyDisconnect(h);
  EXPECT_EQ(d.reasonCode, 0x94);
  EXPECT_TRUE(d.properties.reasonString);
}

TEST(Mqtt5, AnyTopicAliasIsInvalidWhenTheMaximumIsZero) {
  Harness h(Config{{"topic_alias_maximum", "0"}});
  h.connect(Version::V5);
  EXPECT_EQ(h.feed(encoded(aliased("a", 1))), MQGW_E_PROTOCOL);
  EXPECT_EQ(onlyDisconnect(h).reasonCode, 0x94);
}

TEST(Mqtt5, UnknownTopicAliasWithoutTopicIs82) {
  Harness h;
  h.connect(Version::V5);
  EXPECT_EQ(h.feed(encoded(aliased("", 4))), MQGW_E_PROTOCOL);
  EXPECT_EQ(onlyDisconnect(h).reasonCode, 0x82);
  EXPECT_TRUE(fake().publishes.empty());
}

TEST(Mqtt5, OutboundTopicAliasesGoToTheFirstTopics) {
  Harness h;
  mqtt::Properties props;
  props.topicAliasMaximum = 2;
  connectWith(h, props);
  Msg a("t/a", 0), b("t/b", 0), c("t/c", 0);
  for (mqgw_message* m : {a.m, a.m, b.m, c.m, b.m, c.m}) deliver(h, m, 0);
  std::vector<OutPacket> keep;
  auto pubs = publishes(h, keep);
  ASSERT_EQ(pubs.size(), 6u);
  auto alias = [](const mqtt::Publish& p) { return p.properties.topicAlias.value_or(0); };
  EXPECT_EQ(pubs[0].topic, "t/a");
  EXPECT_EQ(alias(pubs[0]), 1);
  EXPECT_EQ(pubs[1].topic, "");
  EXPECT_EQ(alias(pubs[1]), 1);
  EXPECT_EQ(pubs[2].topic, "t/b");
  EXPECT_EQ(alias(pubs[2]), 2);
  EXPECT_EQ(pubs[3].topic, "t/c");
  EXPECT_EQ(alias(pubs[3]), 0) << "no alias left for a third topic";
  EXPECT_EQ(pubs[4].topic, "");
  EXPECT_EQ(alias(pubs[4]), 2);
  EXPECT_EQ(pubs[5].topic, "t/c");
}

TEST(Mqtt5, NoOutboundAliasesUnlessTheClientAllowsThem) {
  Harness h;
  h.connect(Version::V5);
  Msg a("t/a", 0);
  deliver(h, a.m, 0);
  deliver(h, a.m, 0);
  std::vector<OutPacket> keep;
  for (const mqtt::Publish& p : publishes(h, keep)) {
    EXPECT_EQ(p.topic, "t/a");
    EXPECT_FALSE(p.properties.topicAlias);
  }
}

TEST(Mqtt5, AMessageTooLargeToSendDoesNotBindAnAlias) {
  Harness h;
  mqtt::Properties props;
  props.topicAliasMaximum = 1;
  props.maximumPacketSize = 40;
  connectWith(h, props);
  Msg big(makeMessage("t/a", std::string(60, 'x'), 0));
  Msg small("t/a", 0);
  EXPECT_EQ(deliver(h, big.m, 0), MQGW_E_TOO_LARGE);
  deliver(h, small.m, 0);
  std::vector<OutPacket> keep;
  auto pubs = publishes(h, keep);
  ASSERT_EQ(pubs.size(), 1u);
  EXPECT_EQ(pubs[0].topic, "t/a") << "the client never learnt alias 1 from the dropped one";
  EXPECT_EQ(pubs[0].properties.topicAlias, 1);
}

// ---- message expiry ----

TEST(Mqtt5, RemainingExpiryIsSentAndExpiredMessagesAreCounted) {
  Harness h;
  h.connect(Version::V5);
  Msg fresh(expiringMessage(60, wallMs() - 5000, 0));
  Msg old(expiringMessage(60, wallMs() - 61000, 0));
  deliver(h, fresh.m, 0);
  deliver(h, old.m, 0);
  std::vector<OutPacket> keep;
  auto pubs = publishes(h, keep);
  ASSERT_EQ(pubs.size(), 1u);
  ASSERT_TRUE(pubs[0].properties.messageExpiryInterval);
  EXPECT_GE(*pubs[0].properties.messageExpiryInterval, 54u);
  EXPECT_LE(*pubs[0].properties.messageExpiryInterval, 55u);
  EXPECT_EQ(fake().metric("mqgw_mqtt_expired_total"), 1);
}

TEST(Mqtt5, AQueuedMessageThatExpiresWhileWaitingIsNotSent) {
  Harness h(Config{{"max_inflight", "1"}});
  h.connect(Version::V5);
  Msg first("t/1", 1);
  Msg shortLived(expiringMessage(1, wallMs() - 800, 1));
  deliver(h, first.m, 1);
  deliver(h, shortLived.m, 1);  // waits for the window
  EXPECT_EQ(h.takePackets().size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  h.feed(ackPacket(Version::V5, PacketType::Puback, 1));
  EXPECT_EQ(h.takeBytes(), "") << "expired in the queue";
  EXPECT_EQ(fake().metric("mqgw_mqtt_expired_total"), 1);
}

// ---- subscription identifiers and options ----

TEST(Mqtt5, SubscribePassesTheIdentifierAndOptions) {
  Harness h;
  h.connect(Version::V5);
  mqtt::Subscribe s;
  s.packetId = 5;
  s.properties.subscriptionIdentifiers = {77};
  s.topics.push_back({"a/#", 1, true, true, 2});
  s.topics.push_back({"b", 0, false, false, 1});
  mqtt::Buffer b;
  mqtt::encodeSubscribe(s, Version::V5, b);
  h.feed(b);
  ASSERT_EQ(fake().subscribes.size(), 2u);
  const mqgw_sub_options& o = fake().subscribes[0].second;
  EXPECT_EQ(o.subscription_id, 77u);
  EXPECT_EQ(o.no_local, 1);
  EXPECT_EQ(o.retain_as_published, 1);
  EXPECT_EQ(o.retain_handling, 2);
  EXPECT_EQ(fake().subscribes[1].second.subscription_id, 77u);
  EXPECT_EQ(fake().subscribes[1].second.no_local, 0);
  EXPECT_EQ(fake().subscribes[1].second.retain_handling, 1);
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].type, PacketType::Suback);
}

TEST(Mqtt5, EveryMatchingSubscriptionIdIsDelivered) {
  Harness h(Config{{"max_inflight", "1"}});
  h.connect(Version::V5);
  Msg now("t/x", 1), queued("t/y", 1);
  deliver(h, now.m, 1, {7, 9});
  deliver(h, queued.m, 1, {3, 4});
  h.feed(ackPacket(Version::V5, PacketType::Puback, 1));
  std::vector<OutPacket> keep;
  auto pubs = publishes(h, keep);
  ASSERT_EQ(pubs.size(), 2u);
  EXPECT_EQ(pubs[0].properties.subscriptionIdentifiers, (std::vector<uint32_t>{7, 9}));
  EXPECT_EQ(pubs[1].properties.subscriptionIdentifiers, (std::vector<uint32_t>{3, 4}))
      << "a queued delivery keeps all its ids";
}

TEST(Mqtt5, SubscriptionIdFromAClientPublishIs82) {
  Harness h;
  h.connect(Version::V5);
  mqtt::Publish p = publish("t");
  p.properties.subscriptionIdentifiers = {3};
  EXPECT_EQ(h.feed(encoded(p)), MQGW_E_PROTOCOL);
  EXPECT_EQ(onlyDisconnect(h).reasonCode, 0x82);
}

// ---- payload format, properties, reason strings ----

TEST(Mqtt5, InvalidUtf8WithPayloadFormat1IsRefused) {
  Harness h;
  h.connect(Version::V5);
  mqtt::Publish bad = publish("t", 1, 4);
  bad.payload = "\xff\xfe";
  bad.properties.payloadFormatIndicator = 1;
  h.feed(encoded(bad));
  mqtt::Ack a = onlyAck(h);
  EXPECT_EQ(a.type, PacketType::Puback);
  EXPECT_EQ(a.reasonCode, 0x99);
  EXPECT_EQ(a.properties.reasonString, "payload is not valid UTF-8");
  EXPECT_TRUE(fake().publishes.empty());

  bad.qos = 2;
  h.feed(encoded(bad));
  EXPECT_EQ(onlyAck(h).reasonCode, 0x99);

  mqtt::Publish bytes = publish("t");
  bytes.payload = "\xff";  // no indicator: any bytes
  h.feed(encoded(bytes));
  mqtt::Publish text = publish("t");
  text.payload = "gr\xc3\xbc\xc3\x9f";
  text.properties.payloadFormatIndicator = 1;
  h.feed(encoded(text));
  EXPECT_EQ(fake().publishes.size(), 2u);

  bad.qos = 0;
  EXPECT_EQ(h.feed(encoded(bad)), MQGW_E_PROTOCOL);
  EXPECT_EQ(onlyDisconnect(h).reasonCode, 0x99);
}

TEST(Mqtt5, NoReasonStringsOnAcksWhenProblemInformationIsOff) {
  Harness h;
  mqtt::Properties quiet;
  quiet.requestProblemInformation = 0;
  connectWith(h, quiet);
  mqtt::Publish bad = publish("t", 1, 4);
  bad.payload = "\xff";
  bad.properties.payloadFormatIndicator = 1;
  h.feed(encoded(bad));
  mqtt::Ack a = onlyAck(h);
  EXPECT_EQ(a.reasonCode, 0x99);
  EXPECT_FALSE(a.properties.reasonString);
  h.feed(subscribePacket(Version::V5, 2, {{"bad/t", 0}}));
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Suback s;
  ASSERT_FALSE(mqtt::decodeSuback(packets[0].frame(), Version::V5, s));
  EXPECT_FALSE(s.properties.reasonString);
  bad.qos = 0;
  h.feed(encoded(bad));
  EXPECT_TRUE(onlyDisconnect(h).properties.reasonString) << "DISCONNECT may always say why";
}

TEST(Mqtt5, SubackFailureCarriesAReasonString) {
  Harness h;
  h.connect(Version::V5);
  h.feed(subscribePacket(Version::V5, 2, {{"ok", 0}, {"bad/t", 0}}));
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Suback s;
  ASSERT_FALSE(mqtt::decodeSuback(packets[0].frame(), Version::V5, s));
  EXPECT_EQ(s.reasonCodes, (std::vector<uint8_t>{0x00, 0x8F}));
  EXPECT_EQ(s.properties.reasonString, "topic filter invalid");
  h.feed(subscribePacket(Version::V5, 3, {{"fine", 1}}));
  packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  ASSERT_FALSE(mqtt::decodeSuback(packets[0].frame(), Version::V5, s));
  EXPECT_FALSE(s.properties.reasonString) << "success needs no explanation";
}

TEST(Mqtt5, PropertiesAreForwardedUntouched) {
  Harness h;
  h.connect(Version::V5);
  mqtt::Publish in = publish("req/1", 1, 8);
  in.properties.userProperties = {{"k", "v1"}, {"k", "v2"}, {"z", ""}};
  in.properties.responseTopic = "resp/1";
  in.properties.correlationData = std::string_view("\x00\x01\x02", 3);
  in.properties.contentType = "application/json";
  in.properties.payloadFormatIndicator = 1;
  h.feed(encoded(in));
  ASSERT_EQ(fake().publishes.size(), 1u);
  mqgw_message* m = fake().publishes[0].msg;
  deliver(h, m, 1);
  std::vector<OutPacket> keep;
  auto pubs = publishes(h, keep);
  ASSERT_EQ(pubs.size(), 1u);
  const mqtt::Properties& out = pubs[0].properties;
  ASSERT_EQ(out.userProperties.size(), 3u);
  EXPECT_EQ(out.userProperties[0].value, "v1");
  EXPECT_EQ(out.userProperties[1].value, "v2");
  EXPECT_EQ(out.userProperties[2].key, "z");
  EXPECT_EQ(out.responseTopic, "resp/1");
  EXPECT_EQ(out.correlationData, std::string_view("\x00\x01\x02", 3));
  EXPECT_EQ(out.contentType, "application/json");
  EXPECT_EQ(out.payloadFormatIndicator, 1);
}

// ---- Receive Maximum ----

TEST(Mqtt5, Qos2AwaitingPubrelCountsAgainstReceiveMaximum) {
  Harness h(Config{{"max_inflight", "2"}});
  h.connect(Version::V5);
  h.feed(publishPacket(Version::V5, "t", "1", 2, 1));
  h.feed(publishPacket(Version::V5, "t", "2", 2, 2));
  h.completePublish(0, MQGW_OK);
  h.completePublish(1, MQGW_OK);
  EXPECT_EQ(h.takePackets().size(), 2u) << "two PUBRECs; no PUBREL yet";
  h.feed(ackPacket(Version::V5, PacketType::Pubrel, 1));
  EXPECT_EQ(h.takePackets().size(), 1u) << "PUBCOMP frees one";
  EXPECT_GT(h.feed(publishPacket(Version::V5, "t", "3", 2, 3)), 0);
  EXPECT_EQ(h.feed(publishPacket(Version::V5, "t", "4", 1, 4)), MQGW_E_PROTOCOL);
  EXPECT_EQ(onlyDisconnect(h).reasonCode, 0x93);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
