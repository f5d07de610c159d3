// Inbound PUBLISH: what reaches the core, and that acks wait for the storage (on_publish_done).
#include <gtest/gtest.h>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

TEST(Publish, Qos0GoesToCoreWithoutCookieOrAck) {
  Harness h;
  h.connect(Version::V311, "pub1");
  auto bytes = publishPacket(Version::V311, "a/b", "hello", 0, 0);
  EXPECT_EQ(h.feed(bytes), static_cast<long>(bytes.size()));
  ASSERT_EQ(fake().publishes.size(), 1u);
  const mqgw_message* m = fake().publishes[0].msg;
  EXPECT_EQ(fake().publishes[0].cookie, 0u);
  EXPECT_EQ(m->topic, "a/b");
  EXPECT_EQ(m->payload, "hello");
  EXPECT_EQ(m->publisherId, "pub1");
  EXPECT_EQ(m->view.qos, 0);
  EXPECT_EQ(m->refs, 1) << "the plugin dropped its own ref after publish";
  EXPECT_EQ(h.takeBytes(), "");
}

TEST(Publish, Qos1PubackOnlyAfterStored) {
  Harness h;
  h.connect(Version::V311);
  h.feed(publishPacket(Version::V311, "a/b", "x", 1, 7));
  ASSERT_EQ(fake().publishes.size(), 1u);
  EXPECT_EQ(fake().publishes[0].cookie, (1ull << 32) | 7);
  EXPECT_EQ(h.takeBytes(), "") << "no PUBACK before the storage answered";
  h.completePublish(0, MQGW_OK);
  EXPECT_EQ(hex(h.takeBytes()), "40 02 00 07");
}

TEST(Publish, Qos1CompletedInsidePublishIsAcked) {
  Harness h;
  h.connect(Version::V311);
  fake().completePublishInline = true;
  h.feed(publishPacket(Version::V311, "a/b", "x", 1, 3));
  EXPECT_EQ(hex(h.takeBytes()), "40 02 00 03");
}

TEST(Publish, Qos1StoreFailureV5IsPubackError) {
  Harness h;
  h.connect(Version::V5);
  h.feed(publishPacket(Version::V5, "a/b", "x", 1, 7));
  h.completePublish(0, MQGW_E_UNAVAILABLE);
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 20), "40 18 00 07 80 14 1f")
      << "0x80 with the Reason String 'unspecified error'";
  EXPECT_EQ(h.conn.closeCalls, 0);
}

TEST(Publish, Qos1StoreFailureV3ClosesWithoutAck) {
  Harness h;
  h.connect(Version::V311);
  h.feed(publishPacket(Version::V311, "a/b", "x", 1, 7));
  h.completePublish(0, MQGW_E_UNAVAILABLE);
  EXPECT_EQ(h.takeBytes(), "");
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST(Publish, Qos2ExchangePublishesOnce) {
  Harness h;
  h.connect(Version::V311);
  h.feed(publishPacket(Version::V311, "a/b", "x", 2, 9));
  ASSERT_EQ(fake().publishes.size(), 1u);
  EXPECT_EQ(fake().publishes[0].cookie, (2ull << 32) | 9);
  h.feed(publishPacket(Version::V311, "a/b", "x", 2, 9, true));
  EXPECT_EQ(fake().publishes.size(), 1u) << "a DUP before it was stored is ignored";
  EXPECT_EQ(h.takeBytes(), "");
  h.completePublish(0, MQGW_OK);
  EXPECT_EQ(hex(h.takeBytes()), "50 02 00 09");
  h.feed(publishPacket(Version::V311, "a/b", "x", 2, 9, true));
  EXPECT_EQ(fake().publishes.size(), 1u) << "a DUP after PUBREC is not published again";
  EXPECT_EQ(hex(h.takeBytes()), "50 02 00 09");
  h.feed(ackPacket(Version::V311, PacketType::Pubrel, 9));
  EXPECT_EQ(hex(h.takeBytes()), "70 02 00 09");
  h.feed(publishPacket(Version::V311, "a/b", "y", 2, 9));
  EXPECT_EQ(fake().publishes.size(), 2u) << "after PUBCOMP the id is free for a new message";
}

// MQTT-4.3.3-9: after a PUBREC >= 0x80 the packet id is free; the same id is a new message.
TEST(Publish, V5Qos2IdStartsANewMessageAfterARefusingPubrec) {
  Harness h;
  h.connect(Version::V5);
  h.feed(publishPacket(Version::V5, "a/b", "first", 2, 5));
  h.completePublish(0, MQGW_E_DENIED);  // the core refused to store it
  std::string pubrec = hex(h.takeBytes());
  EXPECT_EQ(pubrec.substr(0, 2) + pubrec.substr(5, 9), "50 00 05 87") << "PUBREC 0x87";
  h.feed(publishPacket(Version::V5, "a/b", "second", 2, 5));
  ASSERT_EQ(fake().publishes.size(), 2u) << "not taken for a retransmission of the refused one";
  EXPECT_EQ(fake().publishes[1].msg->payload, "second");
  h.completePublish(1, MQGW_OK);
  EXPECT_EQ(hex(h.takeBytes()), "50 02 00 05");
  h.feed(ackPacket(Version::V5, PacketType::Pubrel, 5));
  EXPECT_EQ(hex(h.takeBytes()), "70 02 00 05");

  // Refused by the frontend itself (Payload Format Indicator 1 with bytes that are not UTF-8).
  mqtt::Publish bad;
  bad.topic = "a/b";
  bad.payload = "\xff";
  bad.qos = 2;
  bad.packetId = 6;
  bad.properties.payloadFormatIndicator = 1;
  mqtt::Buffer b;
  mqtt::encodePublish(bad, Version::V5, b);
  h.feed(b);
  pubrec = hex(h.takeBytes());
  EXPECT_EQ(pubrec.substr(0, 2) + pubrec.substr(5, 9), "50 00 06 99") << "PUBREC 0x99";
  h.feed(publishPacket(Version::V5, "a/b", "third", 2, 6));
  ASSERT_EQ(fake().publishes.size(), 3u);
  h.completePublish(2, MQGW_OK);
  EXPECT_EQ(hex(h.takeBytes()), "50 02 00 06");
}

TEST(Publish, V5PubrelForUnknownIdGetsNotFound) {
  Harness h;
  h.connect(Version::V5);
  h.feed(ackPacket(Version::V5, PacketType::Pubrel, 44));
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 20), "70 22 00 2c 92 1e 1f")
      << "0x92 with a Reason String";
}

TEST(Publish, V5PropertiesReachTheMessage) {
  Harness h;
  h.connect(Version::V5, "p5");
  mqtt::Publish p;
  p.topic = "t/1";
  p.payload = "{}";
  p.qos = 1;
  p.packetId = 5;
  p.properties.payloadFormatIndicator = 1;
  p.properties.messageExpiryInterval = 60;
  p.properties.contentType = "application/json";
  p.properties.responseTopic = "r/1";
  p.properties.correlationData = "corr";
  p.properties.userProperties.push_back({"k", "v"});
  mqtt::Buffer b;
  mqtt::encodePublish(p, Version::V5, b);
  EXPECT_EQ(h.feed(b), static_cast<long>(b.size()));
  ASSERT_EQ(fake().publishes.size(), 1u);
  const mqgw_message* m = fake().publishes[0].msg;
  EXPECT_EQ(m->view.payload_format, 1);
  EXPECT_EQ(m->view.has_expiry, 1);
  EXPECT_EQ(m->view.expiry_interval_s, 60u);
  EXPECT_EQ(m->contentType, "application/json");
  EXPECT_EQ(m->responseTopic, "r/1");
  EXPECT_EQ(m->correlationData, "corr");
  ASSERT_EQ(m->userProps.size(), 1u);
  EXPECT_EQ(m->userProps[0], std::make_pair(std::string("k"), std::string("v")));
  EXPECT_EQ(m->publisherId, "p5");
}

TEST(Publish, InvalidTopicClosesV3) {
  Harness h;
  h.connect(Version::V311);
  EXPECT_EQ(h.feed(publishPacket(Version::V311, "bad/topic", "x", 1, 1)), MQGW_E_PROTOCOL);
  EXPECT_TRUE(fake().publishes.empty());
}

TEST(Publish, InvalidTopicIsNackedInV5) {
  Harness h;
  h.connect(Version::V5);
  auto bytes = publishPacket(Version::V5, "bad/topic", "x", 1, 1);
  EXPECT_EQ(h.feed(bytes), static_cast<long>(bytes.size()));
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 20), "40 19 00 01 90 15 1f")
      << "0x90 with a Reason String";
  EXPECT_TRUE(fake().publishes.empty());
}

TEST(Publish, V5RetainGoesToCoreWithTheRetainFlag) {
  Harness h;
  h.connect(Version::V5);
  mqtt::Publish p;
  p.topic = "t";
  p.payload = "kept";
  p.retain = true;
  mqtt::Buffer b;
  mqtt::encodePublish(p, Version::V5, b);
  EXPECT_EQ(h.feed(b), static_cast<long>(b.size()));
  EXPECT_EQ(h.takeBytes(), "") << "no DISCONNECT 0x9A: retain is available";
  ASSERT_EQ(fake().publishes.size(), 1u);
  EXPECT_EQ(fake().publishes[0].msg->view.retain, 1);
}

TEST(Publish, V5ReceiveMaximumExceededDisconnects) {
  Harness h(Config{{"max_inflight", "2"}});
  h.connect(Version::V5);
  h.feed(publishPacket(Version::V5, "t", "1", 1, 1));
  h.feed(publishPacket(Version::V5, "t", "2", 2, 2));
  EXPECT_EQ(h.feed(publishPacket(Version::V5, "t", "3", 1, 3)), MQGW_E_PROTOCOL);
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 14), "e0 1d 93 1b 1f") << "with a Reason String";
}

TEST(Publish, ReadingPausesWhileTheStorageIsBehind) {
  Harness h(Config{{"max_inflight", "2"}});
  h.connect(Version::V311);
  h.feed(publishPacket(Version::V311, "t", "1", 1, 1));
  EXPECT_FALSE(h.conn.readPaused);
  h.feed(publishPacket(Version::V311, "t", "2", 1, 2));
  EXPECT_TRUE(h.conn.readPaused);
  h.completePublish(0, MQGW_OK);
  EXPECT_FALSE(h.conn.readPaused);
  EXPECT_EQ(hex(h.takeBytes()), "40 02 00 01");
}

TEST(Publish, WillIsPublishedWhenTheConnectionDrops) {
  Harness h;
  mqtt::Connect c;
  c.clientId = "w1";
  c.will.emplace();
  c.will->topic = "status/w1";
  c.will->payload = "gone";
  c.will->qos = 1;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 00");
  EXPECT_TRUE(fake().publishes.empty());
  mqgw_session* s = fake().lastSession();
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  ASSERT_EQ(fake().publishes.size(), 1u);
  EXPECT_EQ(fake().publishes[0].msg->topic, "status/w1");
  EXPECT_EQ(fake().publishes[0].msg->payload, "gone");
  EXPECT_EQ(fake().publishes[0].msg->view.qos, 1);
  EXPECT_TRUE(s->closed);
}

TEST(Publish, V5RetainedWillIsAcceptedAndPublishedRetained) {
  Harness h;
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "w5";
  c.will.emplace();
  c.will->topic = "status/w5";
  c.will->payload = "gone";
  c.will->retain = true;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Connack ack;
  ASSERT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
  EXPECT_EQ(ack.reasonCode, 0) << "not 0x9A Retain not supported";
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  ASSERT_EQ(fake().publishes.size(), 1u);
  EXPECT_EQ(fake().publishes[0].msg->view.retain, 1);
}

TEST(Publish, WillIsDiscardedOnDisconnect) {
  Harness h;
  mqtt::Connect c;
  c.clientId = "w2";
  c.will.emplace();
  c.will->topic = "status/w2";
  c.will->payload = "gone";
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  h.feed(bytesOf({0xE0, 0x00}));
  EXPECT_EQ(h.conn.closeCalls, 1);
  EXPECT_EQ(h.conn.closeReason, MQGW_CLOSE_NORMAL);
  h.closeFromCore(MQGW_CLOSE_NORMAL);
  EXPECT_TRUE(fake().publishes.empty());
}

TEST(Publish, V5DisconnectWithWillStillPublishesIt) {
  Harness h;
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "w3";
  c.will.emplace();
  c.will->topic = "status/w3";
  c.will->payload = "bye";
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  h.feed(b);
  h.feed(bytesOf({0xE0, 0x01, 0x04}));  // DISCONNECT, reason 0x04
  EXPECT_EQ(h.conn.closeCalls, 1);
  h.closeFromCore(MQGW_CLOSE_NORMAL);
  ASSERT_EQ(fake().publishes.size(), 1u);
  EXPECT_EQ(fake().publishes[0].msg->topic, "status/w3");
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
