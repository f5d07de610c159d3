// delivery_settled: the frontend tells the core when a client has taken a QoS 1/2 delivery for
// good (PUBACK, PUBREC) or when it dropped one for good, so a durable session's cursor can move
// past it — and not before.
#include <gtest/gtest.h>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

struct Msg {  // a message the test owns one ref of
  explicit Msg(std::string_view topic, uint8_t qos = 1) : m(makeMessage(topic, "p", qos)) {}
  ~Msg() { fake().api.message_unref(m); }
  mqgw_message* m;
};

TEST(Settle, PubackSettlesThatMessageOnly) {
  Harness h;
  h.connect(Version::V311);
  Msg a("t/a"), b("t/b");
  deliver(h, a.m, 1);
  deliver(h, b.m, 1);
  h.takePackets();
  EXPECT_TRUE(fake().settled.empty()) << "sent is not settled";
  h.feed(ackPacket(Version::V311, PacketType::Puback, 2));
  ASSERT_EQ(fake().settled.size(), 1u);
  EXPECT_EQ(fake().settled[0], b.m);
  h.feed(ackPacket(Version::V311, PacketType::Puback, 2));
  EXPECT_EQ(fake().settled.size(), 1u) << "a repeated PUBACK settles nothing more";
}

TEST(Settle, Qos2SettlesAtPubrecNotAgainAtPubcomp) {
  Harness h;
  h.connect(Version::V5);
  Msg a("t/a", 2);
  deliver(h, a.m, 2);
  h.takePackets();
  h.feed(ackPacket(Version::V5, PacketType::Pubrec, 1));
  ASSERT_EQ(fake().settled.size(), 1u) << "the client has it: only PUBREL is owed now";
  h.feed(ackPacket(Version::V5, PacketType::Pubcomp, 1));
  EXPECT_EQ(fake().settled.size(), 1u);
}

TEST(Settle, AQueuedMessageDroppedForRoomIsSettled) {
  Harness h(Config{{"max_inflight", "1"}, {"max_queued_messages", "1"}});
  h.connect(Version::V311);
  Msg a("t/a"), b("t/b"), c("t/c");
  deliver(h, a.m, 1);  // in flight
  deliver(h, b.m, 1);  // queued
  deliver(h, c.m, 1);  // queue full: b goes
  ASSERT_EQ(fake().settled.size(), 1u);
  EXPECT_EQ(fake().settled[0], b.m);
}

TEST(Settle, AnExpiredMessageIsSettledWhenItWouldHaveBeenSent) {
  Harness h;
  h.connect(Version::V5);
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {"t/x", 3};
  v.payload = {"p", 1};
  v.qos = 1;
  v.has_expiry = 1;
  v.expiry_interval_s = 1;
  v.created_ms = 1;  // long ago
  mqgw_message* m = fake().api.message_create(&v);
  deliver(h, m, 1);
  for (const OutPacket& p : h.takePackets()) EXPECT_NE(p.type, PacketType::Publish);
  ASSERT_EQ(fake().settled.size(), 1u);
  EXPECT_EQ(fake().settled[0], m);
  fake().api.message_unref(m);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
