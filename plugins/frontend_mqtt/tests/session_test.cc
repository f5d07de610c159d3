// SUBSCRIBE / UNSUBSCRIBE / PINGREQ / DISCONNECT / kick / close: the session-facing packets;
// and the Reason Strings of acks and DISCONNECT against the client's Maximum Packet Size.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

TEST(Session, SubackCarriesGrantedQosAndFailures) {
  Harness h;
  h.connect(Version::V311);
  h.feed(subscribePacket(Version::V311, 10, {{"a/+", 1}, {"bad/#", 0}, {"c/#", 2}}));
  EXPECT_EQ(hex(h.takeBytes()), "90 05 00 0a 01 80 02");
  ASSERT_EQ(fake().subscribes.size(), 2u) << "an invalid filter never reaches the router";
  EXPECT_EQ(fake().subscribes[0].first, "a/+");
  EXPECT_EQ(fake().subscribes[0].second.qos, 1);
  EXPECT_EQ(fake().subscribes[1].first, "c/#");
}

TEST(Session, RouterRefusalIs80AndGrantIsTheRoutersAnswer) {
  Harness h;
  h.connect(Version::V311);
  fake().subscribeResult = MQGW_E_DENIED;
  h.feed(subscribePacket(Version::V311, 1, {{"a", 1}}));
  EXPECT_EQ(hex(h.takeBytes()), "90 03 00 01 80");
  fake().subscribeResult = 1;
  h.feed(subscribePacket(Version::V311, 2, {{"a", 2}}));
  EXPECT_EQ(hex(h.takeBytes()), "90 03 00 02 01");
}

TEST(Session, V5DeniedSubscribeCodeIsConfigurable) {
  for (auto [setting, code] : {std::pair{"not_authorized", 0x87}, {"unspecified_error", 0x80}}) {
    Harness h(Config{{"subscribe_denied_code", setting}});
    h.connect(Version::V5);
    fake().subscribeResult = MQGW_E_DENIED;
    h.feed(subscribePacket(Version::V5, 1, {{"a", 1}}));
    std::vector<OutPacket> out = h.takePackets();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].bytes.back(), code) << setting;
  }
}

TEST(Session, V5SubackReasonCodes) {
  Harness h;
  h.connect(Version::V5);
  h.feed(subscribePacket(Version::V5, 3, {{"ok/1", 0}, {"bad", 1}, {"$share/g/x", 1}}));
  const std::string suback = hex(h.takeBytes());  // the Reason String explains the worst code
  EXPECT_EQ(suback.substr(0, 20), "90 1d 00 03 17 1f 00");
  EXPECT_EQ(suback.substr(suback.size() - 8), "00 8f 01") << "$share/ goes to the core";
}

TEST(Session, UnsubackV3AndV5) {
  {
    Harness h;
    h.connect(Version::V311);
    mqtt::Unsubscribe u;
    u.packetId = 4;
    u.filters = {"a/b"};
    mqtt::Buffer b;
    mqtt::encodeUnsubscribe(u, Version::V311, b);
    h.feed(b);
    EXPECT_EQ(hex(h.takeBytes()), "b0 02 00 04");
    ASSERT_EQ(fake().unsubscribes.size(), 1u);
    EXPECT_EQ(fake().unsubscribes[0], "a/b");
  }
  Harness h;
  h.connect(Version::V5);
  fake().unsubscribeResult = MQGW_E_NOT_FOUND;
  mqtt::Unsubscribe u;
  u.packetId = 5;
  u.filters = {"x/y", "bad"};
  mqtt::Buffer b;
  mqtt::encodeUnsubscribe(u, Version::V5, b);
  h.feed(b);
  EXPECT_EQ(hex(h.takeBytes()), "b0 05 00 05 00 11 8f");
}

TEST(Session, PingreqGetsPingresp) {
  Harness h;
  h.connect(Version::V311);
  h.feed(bytesOf({0xC0, 0x00, 0xC0, 0x00}));
  EXPECT_EQ(hex(h.takeBytes()), "d0 00 d0 00");
}

TEST(Session, DisconnectClosesAndSurvivesASynchronousOnClose) {
  Harness h;
  h.connect(Version::V311);
  h.conn.closeSynchronously = true;  // on_close runs inside on_data, as the core may do
  auto bytes = bytesOf({0xE0, 0x00, 0xC0, 0x00});
  long used = h.feed(bytes);
  EXPECT_GE(used, 2);
  EXPECT_EQ(h.conn.closeCalls, 1);
  EXPECT_EQ(h.conn.closeReason, MQGW_CLOSE_NORMAL);
  EXPECT_FALSE(h.open());
  EXPECT_TRUE(fake().lastSession()->closed);
  EXPECT_EQ(h.takeBytes(), "") << "nothing after DISCONNECT";
}

TEST(Session, V3StoreFailureWithSynchronousCloseInsidePublish) {
  Harness h;
  h.connect(Version::V311);
  h.conn.closeSynchronously = true;
  fake().completePublishInline = true;
  fake().inlinePublishStatus = MQGW_E_UNAVAILABLE;
  auto bytes = publishPacket(Version::V311, "t", "x", 1, 1);
  auto two = bytes;
  two.insert(two.end(), bytes.begin(), bytes.end());
  h.feed(two);  // the connection closes (and is freed) while the first PUBLISH is handled
  EXPECT_FALSE(h.open());
  EXPECT_EQ(fake().publishes.size(), 1u);
}

TEST(Session, KickTakeoverSendsDisconnect8E) {
  Harness h;
  h.connect(Version::V5);
  h.ops->on_kick(h.conn.state, MQGW_CLOSE_TAKEOVER);
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 8), "e0 17 8e") << "with a Reason String";
  EXPECT_EQ(h.conn.closeReason, MQGW_CLOSE_TAKEOVER);
}

TEST(Session, KickShutdownSendsDisconnect8B) {
  Harness h;
  h.connect(Version::V5);
  h.ops->on_kick(h.conn.state, MQGW_CLOSE_SHUTDOWN);
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 8), "e0 19 8b") << "with a Reason String";
  EXPECT_EQ(h.conn.closeReason, MQGW_CLOSE_SHUTDOWN);
}

TEST(Session, KickV3JustCloses) {
  Harness h;
  h.connect(Version::V311);
  h.ops->on_kick(h.conn.state, MQGW_CLOSE_TAKEOVER);
  EXPECT_EQ(h.takeBytes(), "");
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST(Session, CloseReleasesTheSession) {
  Harness h;
  h.connect(Version::V311);
  mqgw_session* s = fake().lastSession();
  EXPECT_FALSE(s->closed);
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  EXPECT_TRUE(s->closed);
}

TEST(Session, ServerOnlyPacketsAreProtocolErrors) {
  Harness h;
  h.connect(Version::V5);
  EXPECT_EQ(h.feed(bytesOf({0x20, 0x02, 0x00, 0x00})), MQGW_E_PROTOCOL);  // CONNACK
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 8), "e0 21 82") << "with a Reason String";
}

}  // namespace
}  // namespace mqgw::mqttfe::testing

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

// MQTT-3.14.1-1 for a v5 client: reserved DISCONNECT flags make it malformed: DISCONNECT 0x81.
TEST(Session, V5DisconnectWithReservedFlagsIsMalformed) {
  Harness h;
  h.connect(Version::V5);
  EXPECT_EQ(h.feed(bytesOf({0xE2, 0x00})), MQGW_E_PROTOCOL);
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  ASSERT_EQ(packets[0].type, PacketType::Disconnect);
  mqtt::Disconnect d;
  ASSERT_FALSE(mqtt::decodeDisconnect(packets[0].frame(), Version::V5, d));
  EXPECT_EQ(d.reasonCode, 0x81);
  EXPECT_EQ(fake().metric("mqgw_mqtt_protocol_errors_total"), 1);
}

TEST(Session, NoLocalOnASharedSubscriptionIsAProtocolError) {
  Harness h;
  h.connect(Version::V5);
  mqtt::Subscribe sub;
  sub.packetId = 5;
  mqtt::SubscribeTopic t;
  t.filter = "$share/g/x";
  t.qos = 1;
  t.noLocal = true;
  sub.topics.push_back(t);
  mqtt::Buffer b;
  mqtt::encodeSubscribe(sub, Version::V5, b);
  EXPECT_LT(h.feed(b), 0) << "MQTT 5 3.8.3-4";
  EXPECT_EQ(fake().metric("mqgw_mqtt_protocol_errors_total"), 1);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing

// ---- Reason Strings against the client's Maximum Packet Size (MQTT 5 3.4.2-2, 3.5.2-2,
// 3.6.2-2, 3.7.2-2, 3.9.2-1, 3.11.2-1, 3.14.2-3): the string is left out, never the packet ----

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

struct Answer {  // the one packet a provocation drew from the gateway
  PacketType type{};
  size_t size = 0;
  uint8_t code = 0;  // a SUBACK/UNSUBACK: its highest code
  bool reasonString = false;
};

Answer answerOf(const OutPacket& p) {
  Answer a{p.type, p.bytes.size()};
  if (p.type == PacketType::Suback || p.type == PacketType::Unsuback) {
    mqtt::Suback s;  // an UNSUBACK has the same layout
    mqtt::Unsuback u;
    const bool sub = p.type == PacketType::Suback;
    EXPECT_FALSE(sub ? mqtt::decodeSuback(p.frame(), Version::V5, s)
                     : mqtt::decodeUnsuback(p.frame(), Version::V5, u));
    const std::vector<uint8_t>& codes = sub ? s.reasonCodes : u.reasonCodes;
    a.code = codes.empty() ? 0 : *std::max_element(codes.begin(), codes.end());
    a.reasonString = (sub ? s.properties : u.properties).reasonString.has_value();
  } else if (p.type == PacketType::Disconnect) {
    mqtt::Disconnect d;
    EXPECT_FALSE(mqtt::decodeDisconnect(p.frame(), Version::V5, d));
    a.code = d.reasonCode;
    a.reasonString = d.properties.reasonString.has_value();
  } else {
    mqtt::Ack k;
    EXPECT_FALSE(mqtt::decodeAck(p.frame(), Version::V5, k));
    a.code = k.reasonCode;
    a.reasonString = k.properties.reasonString.has_value();
  }
  return a;
}

using Provocation = std::function<void(Harness&)>;

// A v5 client with Maximum Packet Size `limit` does `provoke`; the one packet it drew.
Answer answerWithLimit(uint32_t limit, const Provocation& provoke) {
  Harness h;
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "tiny";
  c.properties.maximumPacketSize = limit;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  h.takePackets();
  provoke(h);
  auto packets = h.takePackets();
  EXPECT_EQ(packets.size(), 1u);
  return packets.size() == 1 ? answerOf(packets[0]) : Answer{};
}

// For every limit from `from` (where the packet fits without a Reason String) to 100 the
// answer fits and keeps its code; with room to spare it is explained (`explained`) or not.
void expectWithinEveryLimit(uint32_t from, PacketType type, uint8_t code, bool explained,
                            const Provocation& provoke) {
  for (uint32_t limit = from; limit <= 100; ++limit) {
    SCOPED_TRACE("Maximum Packet Size " + std::to_string(limit));
    Answer a = answerWithLimit(limit, provoke);
    EXPECT_EQ(a.type, type);
    EXPECT_EQ(a.code, code);
    EXPECT_LE(a.size, limit);
  }
  EXPECT_EQ(answerWithLimit(1000, provoke).reasonString, explained);
}

std::vector<uint8_t> notUtf8Publish(uint8_t qos) {  // refused with 0x99
  mqtt::Publish p;
  p.topic = "t";
  p.payload = "\xff";
  p.qos = qos;
  p.packetId = 4;
  p.properties.payloadFormatIndicator = 1;
  mqtt::Buffer b;
  mqtt::encodePublish(p, Version::V5, b);
  return b;
}

TEST(ReasonString, PubackAndPubrecStayWithinTheClientsMaximumPacketSize) {
  expectWithinEveryLimit(8, PacketType::Puback, 0x99, true,
                         [](Harness& h) { h.feed(notUtf8Publish(1)); });
  expectWithinEveryLimit(8, PacketType::Pubrec, 0x99, true,
                         [](Harness& h) { h.feed(notUtf8Publish(2)); });
}

TEST(ReasonString, PubrelAndPubcompStayWithinTheClientsMaximumPacketSize) {
  expectWithinEveryLimit(8, PacketType::Pubrel, 0x92, true, [](Harness& h) {
    h.feed(ackPacket(Version::V5, PacketType::Pubrec, 31));  // an id we never sent
  });
  expectWithinEveryLimit(8, PacketType::Pubcomp, 0x92, true, [](Harness& h) {
    h.feed(ackPacket(Version::V5, PacketType::Pubrel, 31));
  });
}

TEST(ReasonString, SubackAndUnsubackStayWithinTheClientsMaximumPacketSize) {
  // 24 filters, one refused: 29 bytes without the Reason String, 52 with it.
  std::vector<std::pair<std::string, uint8_t>> filters;
  for (int i = 0; i < 23; ++i) filters.push_back({"f/" + std::to_string(i), 1});
  filters.push_back({"bad/f", 1});
  expectWithinEveryLimit(29, PacketType::Suback, 0x8F, true, [&](Harness& h) {
    h.feed(subscribePacket(Version::V5, 3, filters));
  });
  expectWithinEveryLimit(8, PacketType::Unsuback, 0x8F, false, [](Harness& h) {
    mqtt::Unsubscribe u;
    u.packetId = 4;
    u.filters = {"bad/f"};
    mqtt::Buffer b;
    mqtt::encodeUnsubscribe(u, Version::V5, b);
    h.feed(b);
  });
}

TEST(ReasonString, DisconnectStaysWithinTheClientsMaximumPacketSize) {
  expectWithinEveryLimit(8, PacketType::Disconnect, 0x82, true, [](Harness& h) {
    mqtt::Publish p;  // a Subscription Identifier from a client: a Protocol Error
    p.topic = "t";
    p.properties.subscriptionIdentifiers = {3};
    mqtt::Buffer b;
    mqtt::encodePublish(p, Version::V5, b);
    EXPECT_EQ(h.feed(b), MQGW_E_PROTOCOL);
  });
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
