// Outbound delivery: QoS 0 drop under backpressure, the inflight window, the bounded queue.
#include <gtest/gtest.h>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

// Packet ids of the PUBLISH packets in `packets`, in order.
std::vector<uint16_t> publishIds(const std::vector<OutPacket>& packets, Version v) {
  std::vector<uint16_t> ids;
  for (const OutPacket& p : packets) {
    if (p.type != PacketType::Publish) continue;
    mqtt::Publish pub;
    EXPECT_FALSE(mqtt::decodePublish(p.frame(), v, pub));
    ids.push_back(pub.packetId);
  }
  return ids;
}

struct Msg {  // a message the test owns one ref of
  explicit Msg(std::string_view topic, uint8_t qos = 1, std::string_view payload = "p")
      : m(makeMessage(topic, payload, qos)) {}
  ~Msg() { fake().api.message_unref(m); }
  mqgw_message* m;
};

TEST(Deliver, Qos0IsWrittenAtOnce) {
  Harness h;
  h.connect(Version::V311);
  Msg m("a/b", 0, "hi");
  EXPECT_EQ(deliver(h, m.m, 0), MQGW_OK);
  EXPECT_EQ(hex(h.takeBytes()), "30 07 00 03 61 2f 62 68 69");
  EXPECT_EQ(fake().metric("mqgw_messages_delivered_total"), 1);
}

TEST(Deliver, Qos0IsDroppedWhenTheSocketIsBackedUp) {
  Harness h;
  h.connect(Version::V311);
  fake().limits.max_outbound_bytes = 1000;
  h.conn.pendingOut = 5000;
  Msg m("a/b", 0);
  EXPECT_NE(deliver(h, m.m, 0), MQGW_OK);
  EXPECT_EQ(h.takeBytes(), "");
  EXPECT_EQ(fake().metric("mqgw_mqtt_dropped_total"), 1);
}

TEST(Deliver, WindowQueuesThenPubackSendsTheNext) {
  Harness h(Config{{"max_inflight", "2"}});
  h.connect(Version::V311);
  Msg a("t/a"), b("t/b"), c("t/c");
  EXPECT_EQ(deliver(h, a.m, 1), MQGW_OK);
  EXPECT_EQ(deliver(h, b.m, 1), MQGW_OK);
  EXPECT_EQ(deliver(h, c.m, 1), MQGW_OK);
  EXPECT_EQ(publishIds(h.takePackets(), Version::V311), (std::vector<uint16_t>{1, 2}));
  EXPECT_EQ(c.m->refs, 2) << "the queued message holds a ref";
  h.feed(ackPacket(Version::V311, PacketType::Puback, 1));
  EXPECT_EQ(publishIds(h.takePackets(), Version::V311), (std::vector<uint16_t>{3}));
  EXPECT_EQ(c.m->refs, 2) << "sent: the queue let go, the in-flight entry holds it";
  h.feed(ackPacket(Version::V311, PacketType::Puback, 3));
  EXPECT_EQ(c.m->refs, 1) << "acknowledged: released";
  EXPECT_EQ(fake().metric("mqgw_messages_delivered_total"), 3);
}

TEST(Deliver, Qos2OutboundExchange) {
  Harness h(Config{{"max_inflight", "1"}});
  h.connect(Version::V311);
  Msg a("t/a", 2), b("t/b", 2);
  deliver(h, a.m, 2);
  deliver(h, b.m, 2);
  auto first = h.takePackets();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(hex(first[0].bytes).substr(0, 2), "34") << "QoS 2 PUBLISH";
  h.feed(ackPacket(Version::V311, PacketType::Pubrec, 1));
  EXPECT_EQ(hex(h.takeBytes()), "62 02 00 01") << "PUBREL; the slot is still taken";
  h.feed(ackPacket(Version::V311, PacketType::Pubcomp, 1));
  EXPECT_EQ(publishIds(h.takePackets(), Version::V311), (std::vector<uint16_t>{2}));
}

TEST(Deliver, FullQueueDropsTheOldestQos1) {
  Harness h(Config{{"max_inflight", "1"}, {"max_queued_messages", "2"}});
  h.connect(Version::V311);
  Msg a("t/a"), b("t/b"), c("t/c"), d("t/d");
  deliver(h, a.m, 1);  // in flight
  deliver(h, b.m, 1);  // queued
  deliver(h, c.m, 1);  // queued
  deliver(h, d.m, 1);  // queue full: b goes
  EXPECT_EQ(fake().metric("mqgw_mqtt_dropped_total"), 1);
  EXPECT_EQ(b.m->refs, 1);
  h.takePackets();
  h.feed(ackPacket(Version::V311, PacketType::Puback, 1));
  auto next = h.takePackets();
  ASSERT_EQ(next.size(), 1u);
  mqtt::Publish p;
  ASSERT_FALSE(mqtt::decodePublish(next[0].frame(), Version::V311, p));
  EXPECT_EQ(p.topic, "t/c");
}

TEST(Deliver, ClientReceiveMaximumNarrowsTheWindow) {
  Harness h(Config{{"max_inflight", "32"}});
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "rm";
  c.properties.receiveMaximum = 1;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  h.takePackets();
  Msg x("t/x"), y("t/y");
  deliver(h, x.m, 1);
  deliver(h, y.m, 1);
  EXPECT_EQ(publishIds(h.takePackets(), Version::V5).size(), 1u);
}

TEST(Deliver, V5SkipsMessagesAboveTheClientsMaximumPacketSize) {
  Harness h;
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "small";
  c.properties.maximumPacketSize = 64;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  h.takePackets();
  Msg big("t/big", 1, std::string(100, 'x'));
  EXPECT_NE(deliver(h, big.m, 1), MQGW_OK);
  EXPECT_EQ(h.takeBytes(), "");
  EXPECT_EQ(fake().metric("mqgw_mqtt_dropped_total"), 1);
  Msg ok("t/ok", 1, "fits");
  EXPECT_EQ(deliver(h, ok.m, 1), MQGW_OK);
  EXPECT_EQ(publishIds(h.takePackets(), Version::V5), (std::vector<uint16_t>{1}))
      << "the skipped message used no packet id";
}

TEST(Deliver, CloseReleasesQueuedMessages) {
  Harness h(Config{{"max_inflight", "1"}});
  h.connect(Version::V311);
  Msg a("t/a"), b("t/b");
  deliver(h, a.m, 1);
  deliver(h, b.m, 1);
  EXPECT_EQ(b.m->refs, 2);
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  EXPECT_EQ(b.m->refs, 1);
}

TEST(Deliver, NothingIsSentBeforeConnect) {
  Harness h;
  Msg a("t/a", 0);
  EXPECT_EQ(deliver(h, a.m, 0), MQGW_E_CLOSED);
  EXPECT_EQ(h.takeBytes(), "");
}

TEST(Deliver, V5ForwardsPropertiesAndRemainingExpiry) {
  Harness h;
  h.connect(Version::V5);
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {"t/p", 3};
  v.payload = {"x", 1};
  v.qos = 0;
  v.content_type = {"text/plain", 10};
  v.has_expiry = 1;
  v.expiry_interval_s = 3600;
  v.created_ms = 0;  // created at the epoch: long expired by now
  mqgw_message* expired = fake().api.message_create(&v);
  EXPECT_EQ(deliver(h, expired, 0), MQGW_OK);
  EXPECT_EQ(h.takeBytes(), "") << "an expired message is not delivered";
  fake().api.message_unref(expired);

  v.has_expiry = 0;
  mqgw_message* m = fake().api.message_create(&v);
  deliver(h, m, 0);
  fake().api.message_unref(m);
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Publish p;
  ASSERT_FALSE(mqtt::decodePublish(packets[0].frame(), Version::V5, p));
  EXPECT_EQ(p.properties.contentType, "text/plain");
  EXPECT_FALSE(p.properties.messageExpiryInterval);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
