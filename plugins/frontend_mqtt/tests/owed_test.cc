// What a persistent session owes across connections: parking at close and takeover, the refs
// it holds, and resuming with DUP and the old packet ids.
#include <gtest/gtest.h>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

mqgw_session& lastSession() { return *fake().sessions.back(); }

TEST(Owed, CloseParksInFlightThenQueuedInOrder) {
  Harness h(Config{{"max_inflight", "2"}});
  h.connect(Version::V311);
  mqgw_message* a = makeMessage("t/a", "A", 1);
  mqgw_message* b = makeMessage("t/b", "B", 2);
  mqgw_message* c = makeMessage("t/c", "C", 1);
  deliver(h, a, 1);
  deliver(h, b, 2);
  deliver(h, c, 1);  // the window (2) is full: queued
  h.feed(ackPacket(Version::V311, PacketType::Pubrec, 2));  // b: PUBREL sent, awaiting PUBCOMP
  h.takePackets();
  EXPECT_EQ(a->refs, 2) << "an in-flight message is kept until acknowledged";
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  const mqgw_session& s = lastSession();
  ASSERT_EQ(s.parked.size(), 3u);
  EXPECT_EQ(s.parked[0].msg, a);
  EXPECT_EQ(s.parked[0].state, MQGW_PARKED_SENT);
  EXPECT_EQ(s.parked[0].packet_id, 1);
  EXPECT_EQ(s.parked[1].msg, b);
  EXPECT_EQ(s.parked[1].state, MQGW_PARKED_RELEASED);
  EXPECT_EQ(s.parked[1].packet_id, 2);
  EXPECT_EQ(s.parked[2].msg, c);
  EXPECT_EQ(s.parked[2].state, MQGW_PARKED_QUEUED);
  EXPECT_TRUE(s.closed) << "parked first, then closed";
  EXPECT_EQ(a->refs, 1) << "the plugin let go at close (the core took its own refs)";
  for (mqgw_message* m : {a, b, c}) fake().api.message_unref(m);
}

TEST(Owed, AckedMessagesAreNotParked) {
  Harness h;
  h.connect(Version::V311);
  mqgw_message* a = makeMessage("t/a", "A", 1);
  deliver(h, a, 1);
  h.feed(ackPacket(Version::V311, PacketType::Puback, 1));
  EXPECT_EQ(a->refs, 1);
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  EXPECT_TRUE(lastSession().parked.empty());
  fake().api.message_unref(a);
}

TEST(Owed, TakeoverParksBeforeTheConnectionCloses) {
  Harness h;
  h.connect(Version::V5);
  mqgw_message* a = makeMessage("t/a", "A", 1);
  deliver(h, a, 1);
  h.ops->on_kick(h.conn.state, MQGW_CLOSE_TAKEOVER);
  EXPECT_TRUE(lastSession().closed) << "the session is handed over inside on_kick";
  EXPECT_EQ(lastSession().parked.size(), 1u);
  auto packets = h.takePackets();
  ASSERT_FALSE(packets.empty());
  EXPECT_EQ(packets.back().type, PacketType::Disconnect);
  fake().api.message_unref(a);
}

TEST(Owed, ResumeResendsWithDupAndOldIdsThenReleases) {
  Harness h;
  h.connect(Version::V311);
  EXPECT_EQ(lastSession().resumeCalls, 1) << "CONNACK is followed by session_resume";
  h.takePackets();
  mqgw_message* a = makeMessage("t/a", "A", 1);
  mqgw_message* b = makeMessage("t/b", "B", 2);
  mqgw_parked owed[2] = {};
  owed[0] = {sizeof(mqgw_parked), a, 1, 0, MQGW_PARKED_SENT, 7, 0};
  owed[1] = {sizeof(mqgw_parked), b, 2, 0, MQGW_PARKED_RELEASED, 9, 0};
  const uint16_t qos2In[] = {42};
  h.ops->on_resume(h.conn.state, owed, 2, qos2In, 1);
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 2u);
  mqtt::Publish p;
  ASSERT_EQ(packets[0].type, PacketType::Publish);
  ASSERT_FALSE(mqtt::decodePublish(packets[0].frame(), Version::V311, p));
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.packetId, 7);
  EXPECT_EQ(p.payload, "A");
  EXPECT_EQ(packets[1].type, PacketType::Pubrel);
  EXPECT_EQ(a->refs, 2) << "the resumed delivery holds its own ref";
  h.feed(ackPacket(Version::V311, PacketType::Puback, 7));
  EXPECT_EQ(a->refs, 1);
  h.feed(ackPacket(Version::V311, PacketType::Pubcomp, 9));
  EXPECT_EQ(b->refs, 1);
  // The restored QoS 2 inbound id: a PUBREL for it gets its PUBCOMP.
  h.feed(ackPacket(Version::V311, PacketType::Pubrel, 42));
  auto after = h.takePackets();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].type, PacketType::Pubcomp);
  fake().api.message_unref(a);
  fake().api.message_unref(b);
}

TEST(Owed, SessionExpiryIsHeldToTheConfiguredMaximum) {
  {
    Harness h(Config{{"session_expiry_max", "60000"}});
    h.feed(connectPacket(Version::V311, "old-style", /*clean=*/false));
    EXPECT_EQ(lastSession().params.expiry_interval_s, 60u) << "3.1.1 'never' becomes 60 s";
  }
  {
    Harness h(Config{{"session_expiry_max", "60000"}});
    mqtt::Connect c;
    c.version = Version::V5;
    c.clientId = "asks-forever";
    c.cleanStart = false;
    c.properties.sessionExpiryInterval = 0xFFFFFFFF;
    mqtt::Buffer b;
    mqtt::encodeConnect(c, b);
    h.feed(b);
    EXPECT_EQ(lastSession().params.expiry_interval_s, 60u);
    auto packets = h.takePackets();
    ASSERT_EQ(packets.size(), 1u);
    mqtt::Connack ack;
    ASSERT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
    EXPECT_EQ(ack.properties.sessionExpiryInterval, 60u) << "MQTT 5 3.2.2.3.2: told in CONNACK";
  }
}

TEST(Owed, AnExpiredMessageAlreadySentIsStillSentAgain) {
  Harness h;
  h.connect(Version::V5);
  h.takePackets();
  mqgw_message* a = makeMessage("t/a", "A", 1);
  a->view.has_expiry = 1;
  a->view.expiry_interval_s = 10;
  a->view.created_ms = 1000;  // long ago: expired while the client was away
  mqgw_parked owed = {sizeof(mqgw_parked), a, 1, 0, MQGW_PARKED_SENT, 3, 0};
  h.ops->on_resume(h.conn.state, &owed, 1, nullptr, 0);
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u) << "MQTT 5 3.3.2-5: expiry only stops a delivery not yet begun";
  mqtt::Publish p;
  ASSERT_FALSE(mqtt::decodePublish(packets[0].frame(), Version::V5, p));
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.properties.messageExpiryInterval, 1u);
  h.feed(ackPacket(Version::V5, PacketType::Puback, 3));
  fake().api.message_unref(a);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
