// Outbound delivery: QoS 0 drop under backpressure, the inflight window, the bounded queue, and
// how refusals, UNSUBSCRIBE and a full window leave deliveries already started.
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

std::vector<uint8_t> unsubscribePacket(Version v, uint16_t id, std::string_view filter) {
  mqtt::Unsubscribe u;
  u.packetId = id;
  u.filters = {filter};
  mqtt::Buffer b;
  mqtt::encodeUnsubscribe(u, v, b);
  return b;
}

std::vector<PacketType> typesOf(const std::vector<OutPacket>& packets) {
  std::vector<PacketType> types;
  for (const OutPacket& p : packets) types.push_back(p.type);
  return types;
}

// MQTT-3.3.4-10 / MQTT-4.9.0-3: a send quota at zero holds back PUBLISH only.
TEST(Deliver, OtherPacketsAreAnsweredWhileTheWindowIsFull) {
  Harness h;
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "rm1";
  c.properties.receiveMaximum = 1;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  h.takePackets();
  Msg a("t/a", 2), next("t/b");
  deliver(h, a.m, 2);     // the only slot
  deliver(h, next.m, 1);  // waits for it
  EXPECT_EQ(publishIds(h.takePackets(), Version::V5), (std::vector<uint16_t>{1}));
  h.feed(bytesOf({0xC0, 0x00}));                          // PINGREQ
  h.feed(subscribePacket(Version::V5, 7, {{"x/y", 1}}));  // SUBSCRIBE
  h.feed(unsubscribePacket(Version::V5, 8, "x/y"));       // UNSUBSCRIBE
  h.feed(publishPacket(Version::V5, "in", "1", 1, 9));    // the client's own QoS 1 message
  h.completePublish(0, MQGW_OK);
  h.feed(ackPacket(Version::V5, PacketType::Pubrec, 1));  // slot stays taken until PUBCOMP
  EXPECT_EQ(typesOf(h.takePackets()),
            (std::vector<PacketType>{PacketType::Pingresp, PacketType::Suback,
                                     PacketType::Unsuback, PacketType::Puback,
                                     PacketType::Pubrel}))
      << "every answer goes out at once, and no PUBLISH beyond the quota";
  h.feed(ackPacket(Version::V5, PacketType::Pubcomp, 1));
  EXPECT_EQ(publishIds(h.takePackets(), Version::V5), (std::vector<uint16_t>{2}));
}

// MQTT-4.4.0-2 (and 4.8.2-6 on the frontend's side): a refusing PUBACK/PUBREC ends the delivery;
// the message is neither retransmitted nor kept for the session.
TEST(Deliver, RefusingPubackOrPubrecEndsTheDelivery) {
  Harness h(Config{{"max_inflight", "2"}});
  h.connect(Version::V5);
  Msg a("t/a", 1), b("t/b", 2), c("t/c", 1);
  deliver(h, a.m, 1);
  deliver(h, b.m, 2);
  deliver(h, c.m, 1);  // queued behind the full window
  EXPECT_EQ(publishIds(h.takePackets(), Version::V5), (std::vector<uint16_t>{1, 2}));
  h.feed(ackPacket(Version::V5, PacketType::Puback, 1, 0x80));
  EXPECT_EQ(a.m->refs, 1) << "released, not kept for a retransmission";
  EXPECT_EQ(publishIds(h.takePackets(), Version::V5), (std::vector<uint16_t>{3}))
      << "the refused one freed its slot";
  h.feed(ackPacket(Version::V5, PacketType::Pubrec, 2, 0x87));
  EXPECT_EQ(h.takeBytes(), "") << "no PUBREL after a refusing PUBREC";
  EXPECT_EQ(b.m->refs, 1);
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  const mqgw_session& s = *fake().lastSession();
  ASSERT_EQ(s.parked.size(), 1u) << "only the unacknowledged c is owed";
  EXPECT_EQ(s.parked[0].msg, c.m);
}

// MQTT-3.10.4-3: UNSUBSCRIBE does not stop the QoS 1/2 deliveries already started.
TEST(Deliver, InflightDeliveriesCompleteAfterUnsubscribe) {
  for (Version v : {Version::V311, Version::V5}) {
    SCOPED_TRACE(v == Version::V5 ? "v5" : "v3.1.1");
    Harness h;
    h.connect(v);
    h.feed(subscribePacket(v, 1, {{"t/#", 2}}));
    h.takePackets();
    Msg a("t/a", 1), b("t/b", 2);
    deliver(h, a.m, 1);
    deliver(h, b.m, 2);
    EXPECT_EQ(publishIds(h.takePackets(), v), (std::vector<uint16_t>{1, 2}));
    h.feed(unsubscribePacket(v, 2, "t/#"));
    EXPECT_EQ(typesOf(h.takePackets()), (std::vector<PacketType>{PacketType::Unsuback}));
    ASSERT_EQ(fake().unsubscribes, (std::vector<std::string>{"t/#"}));
    EXPECT_EQ(b.m->refs, 2) << "still held for its delivery";
    h.feed(ackPacket(v, PacketType::Pubrec, 2));
    EXPECT_EQ(hex(h.takeBytes()).substr(0, 2), "62") << "PUBREL: the QoS 2 flow goes on";
    h.feed(ackPacket(v, PacketType::Puback, 1));
    h.feed(ackPacket(v, PacketType::Pubcomp, 2));
    EXPECT_EQ(a.m->refs, 1);
    EXPECT_EQ(b.m->refs, 1);
    h.closeFromCore(MQGW_CLOSE_PEER_RESET);
    EXPECT_TRUE(fake().lastSession()->parked.empty()) << "both deliveries completed";
  }
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
