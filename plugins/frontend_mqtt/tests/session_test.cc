// SUBSCRIBE / UNSUBSCRIBE / PINGREQ / DISCONNECT / kick / close: the session-facing packets.
#include <gtest/gtest.h>

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
