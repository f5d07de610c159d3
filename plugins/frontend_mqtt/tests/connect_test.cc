// CONNECT handling: CONNACK bytes per version, refusals, keepalive, client ids, framing.
#include <gtest/gtest.h>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;

TEST(Connect, V311GetsPlainConnackAndSession) {
  Harness h;
  EXPECT_EQ(h.conn.idleTimeoutMs, 10000u) << "connect_timeout before CONNECT";
  auto bytes = connectPacket(Version::V311, "dev1", true, 60);
  EXPECT_EQ(h.feed(bytes), static_cast<long>(bytes.size()));
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 00");
  ASSERT_NE(fake().lastSession(), nullptr);
  EXPECT_EQ(fake().lastSession()->clientId, "dev1");
  EXPECT_EQ(fake().lastSession()->params.clean_start, 1);
  EXPECT_EQ(fake().lastSession()->params.expiry_interval_s, 0u);
  EXPECT_EQ(h.conn.idleTimeoutMs, 90000u) << "1.5 x keepalive";
  EXPECT_EQ(fake().metric("mqgw_mqtt_connects_total"), 1);
}

TEST(Connect, V31MqisdpIsAccepted) {
  Harness h;
  auto bytes = connectPacket(Version::V31, "old-client", false, 10);
  EXPECT_EQ(h.feed(bytes), static_cast<long>(bytes.size()));
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 00");
  EXPECT_EQ(fake().lastSession()->params.expiry_interval_s, 259200u)
      << "a v3 persistent session lasts session_expiry_max (3 days by default)";
  EXPECT_EQ(h.conn.idleTimeoutMs, 15000u);
}

TEST(Connect, V5ConnackAnnouncesServerLimits) {
  Harness h(Config{{"max_inflight", "20"}});
  fake().limits.max_packet_size = 4096;
  auto bytes = connectPacket(Version::V5, "dev5", true, 30);
  EXPECT_EQ(h.feed(bytes), static_cast<long>(bytes.size()));
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Connack ack;
  ASSERT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
  EXPECT_EQ(ack.reasonCode, 0);
  EXPECT_FALSE(ack.sessionPresent);
  EXPECT_EQ(ack.properties.receiveMaximum, 20);
  EXPECT_EQ(ack.properties.maximumPacketSize, 4096u);
  EXPECT_EQ(ack.properties.topicAliasMaximum, 10);
  EXPECT_EQ(ack.properties.retainAvailable, 1);
  EXPECT_EQ(ack.properties.wildcardSubscriptionAvailable, 1);
  EXPECT_EQ(ack.properties.subscriptionIdentifierAvailable, 1);
  EXPECT_EQ(ack.properties.sharedSubscriptionAvailable, 1);
  EXPECT_FALSE(ack.properties.maximumQos) << "absent = QoS 2";
  EXPECT_FALSE(ack.properties.assignedClientIdentifier);
  EXPECT_FALSE(ack.properties.serverKeepAlive);
}

// MQTT-4.12.0-6: a CONNECT without Authentication Method gets no AUTH and no method back.
TEST(Connect, V5WithoutAuthenticationMethodGetsNoAuthExchange) {
  Harness h;
  auto bytes = connectPacket(Version::V5, "plain", true, 30);
  EXPECT_EQ(h.feed(bytes), static_cast<long>(bytes.size()));
  h.feed(subscribePacket(Version::V5, 1, {{"a/b", 1}}));
  h.feed(bytesOf({0xC0, 0x00}));  // PINGREQ
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packets[0].type, PacketType::Connack);
  EXPECT_EQ(packets[1].type, PacketType::Suback);
  EXPECT_EQ(packets[2].type, PacketType::Pingresp) << "no AUTH anywhere in the exchange";
  mqtt::Connack ack;
  ASSERT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
  EXPECT_EQ(ack.reasonCode, 0);
  EXPECT_FALSE(ack.properties.authenticationMethod);
  EXPECT_FALSE(ack.properties.authenticationData);
}

TEST(Connect, V5SessionExpiryAndReceiveMaximumFromClient) {
  Harness h;
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "dev";
  c.keepAlive = 10;
  c.properties.sessionExpiryInterval = 3600;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  EXPECT_EQ(h.feed(b), static_cast<long>(b.size()));
  EXPECT_EQ(fake().lastSession()->params.expiry_interval_s, 3600u);
}

TEST(Connect, V5KeepaliveAboveMaximumIsReplacedByServerKeepAlive) {
  Harness h;
  fake().limits.keepalive_max_s = 480;
  auto bytes = connectPacket(Version::V5, "dev", true, 0);
  h.feed(bytes);
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Connack ack;
  ASSERT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
  EXPECT_EQ(ack.properties.serverKeepAlive, 480);
  EXPECT_EQ(h.conn.idleTimeoutMs, 720000u);
}

TEST(Connect, V3KeepaliveIsAcceptedAsRequested) {
  Harness h;
  fake().limits.keepalive_max_s = 480;
  h.feed(connectPacket(Version::V311, "dev", true, 0));
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 00");
  EXPECT_EQ(h.conn.idleTimeoutMs, 0u) << "keepalive 0 = no idle timeout";
}

TEST(Connect, UnsupportedLevelGetsReturnCode1AndClose) {
  Harness h;
  auto bytes = connectPacket(Version::V311, "dev");
  bytes[8] = 7;  // "MQTT" level byte: 10 len 00 04 M Q T T <level>
  ASSERT_EQ(bytes[2], 0);
  ASSERT_EQ(bytes[4], 'M');
  h.feed(bytes);
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 01");
  EXPECT_EQ(h.conn.closeCalls, 1);
  EXPECT_EQ(fake().sessions.size(), 0u);
  EXPECT_EQ(fake().metric("mqgw_mqtt_connack_refused_total"), 1);
}

TEST(Connect, UnsupportedOldLevelGetsV3Connack) {
  Harness h;
  auto bytes = connectPacket(Version::V311, "dev");
  bytes[8] = 2;
  h.feed(bytes);
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 01");
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST(Connect, EmptyIdWithCleanSessionGetsGeneratedId) {
  Harness h;
  h.feed(connectPacket(Version::V311, "", true));
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 00");
  ASSERT_NE(fake().lastSession(), nullptr);
  EXPECT_EQ(fake().lastSession()->clientId.rfind("auto-", 0), 0u);
  EXPECT_GT(fake().lastSession()->clientId.size(), 10u);
}

TEST(Connect, EmptyIdWithoutCleanSessionIsRejectedInV3) {
  Harness h;
  h.feed(connectPacket(Version::V311, "", false));
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 02");
  EXPECT_EQ(h.conn.closeCalls, 1);
  EXPECT_EQ(fake().sessions.size(), 0u);
}

TEST(Connect, V5EmptyIdIsAssignedAndReturned) {
  Harness h;
  h.feed(connectPacket(Version::V5, "", false));
  auto packets = h.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Connack ack;
  ASSERT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
  EXPECT_EQ(ack.reasonCode, 0);
  ASSERT_TRUE(ack.properties.assignedClientIdentifier);
  EXPECT_EQ(std::string(*ack.properties.assignedClientIdentifier),
            fake().lastSession()->clientId);
}

TEST(Connect, SessionOpenFailureIsServerUnavailable) {
  {
    Harness h;  // one harness at a time: each owns the fake host
    fake().sessionOpenResult = MQGW_E_UNAVAILABLE;
    h.feed(connectPacket(Version::V311, "dev"));
    EXPECT_EQ(hex(h.takeBytes()), "20 02 00 03");
    EXPECT_EQ(h.conn.closeCalls, 1);
  }
  Harness h5;
  fake().sessionOpenResult = MQGW_E_UNAVAILABLE;
  h5.feed(connectPacket(Version::V5, "dev"));
  auto packets = h5.takePackets();
  ASSERT_EQ(packets.size(), 1u);
  mqtt::Connack ack;
  ASSERT_FALSE(mqtt::decodeConnack(packets[0].frame(), Version::V5, ack));
  EXPECT_EQ(ack.reasonCode, mqtt::reason::ServerUnavailable);
}

TEST(Connect, SecondConnectIsAProtocolError) {
  Harness h;
  h.connect(Version::V311);
  EXPECT_EQ(h.feed(connectPacket(Version::V311, "dev1")), MQGW_E_PROTOCOL);
  EXPECT_EQ(h.takeBytes(), "") << "v3 has no DISCONNECT from the server";
  EXPECT_EQ(fake().metric("mqgw_mqtt_protocol_errors_total"), 1);
}

TEST(Connect, SecondConnectInV5SendsDisconnectProtocolError) {
  Harness h;
  h.connect(Version::V5);
  EXPECT_EQ(h.feed(connectPacket(Version::V5, "dev1")), MQGW_E_PROTOCOL);
  EXPECT_EQ(hex(h.takeBytes()),  // with the Reason String "second CONNECT"
            "e0 13 82 11 1f 00 0e 73 65 63 6f 6e 64 20 43 4f 4e 4e 45 43 54");
}

TEST(Connect, FirstPacketMustBeConnect) {
  Harness h;
  EXPECT_EQ(h.feed(bytesOf({0xC0, 0x00})), MQGW_E_PROTOCOL);
  EXPECT_EQ(h.takeBytes(), "");
  EXPECT_EQ(fake().metric("mqgw_mqtt_protocol_errors_total"), 1);
}

TEST(Connect, PartialFramesAreLeftForTheCore) {
  Harness h;
  auto bytes = connectPacket(Version::V311, "split-client");
  EXPECT_EQ(h.feed(bytes.data(), 5), 0);
  EXPECT_EQ(h.takeBytes(), "");
  auto ping = bytesOf({0xC0, 0x00});
  bytes.push_back(ping[0]);  // CONNECT plus half a PINGREQ
  EXPECT_EQ(h.feed(bytes), static_cast<long>(bytes.size() - 1));
  EXPECT_EQ(hex(h.takeBytes()), "20 02 00 00");
  EXPECT_EQ(h.feed(ping), 2);
  EXPECT_EQ(hex(h.takeBytes()), "d0 00");
}

TEST(Connect, TooLargePacketInV5SendsDisconnect95) {
  Harness h;
  fake().limits.max_packet_size = 100;
  h.connect(Version::V5);
  auto big = publishPacket(Version::V5, "t/a", std::string(200, 'x'), 0, 0);
  EXPECT_EQ(h.feed(big), MQGW_E_PROTOCOL);
  EXPECT_EQ(hex(h.takeBytes()),  // with the Reason String "packet too large"
            "e0 15 95 13 1f 00 10 70 61 63 6b 65 74 20 74 6f 6f 20 6c 61 72 67 65");
  EXPECT_EQ(fake().metric("mqgw_mqtt_protocol_errors_total"), 1);
}

TEST(Connect, KeepaliveTimeoutIsCountedOnlyAfterConnect) {
  {
    Harness before;
    before.ops->on_timeout(before.conn.state);
    EXPECT_EQ(fake().metric("mqgw_mqtt_keepalive_timeouts_total"), 0);
  }

  Harness after;
  after.connect(Version::V5);
  after.ops->on_timeout(after.conn.state);
  EXPECT_EQ(fake().metric("mqgw_mqtt_keepalive_timeouts_total"), 1);
  EXPECT_EQ(hex(after.takeBytes()).substr(0, 8), "e0 17 8d") << "with a Reason String";
}

TEST(Connect, EntryRejectsOtherMajorAndShortHost) {
  Harness h;  // sets up a valid fake api
  const mqgw_plugin_descriptor* d = nullptr;
  EXPECT_EQ(mqgw_plugin_entry((MQGW_ABI_MAJOR + 1) << 16, &fake().api, &d), MQGW_E_UNSUPPORTED);
  mqgw_host_api shortApi = fake().api;
  shortApi.struct_size = 8;
  EXPECT_EQ(mqgw_plugin_entry(MQGW_ABI_VERSION, &shortApi, &d), MQGW_E_UNSUPPORTED);
  EXPECT_EQ(mqgw_plugin_entry(MQGW_ABI_VERSION, &fake().api, &d), MQGW_OK);
  ASSERT_NE(d, nullptr);
  EXPECT_STREQ(d->name, "mqtt");
  EXPECT_EQ(d->kind, static_cast<uint32_t>(MQGW_KIND_FRONTEND));
  EXPECT_EQ(d->caps, MQGW_CAP_FRONTEND_SNIFF);
  EXPECT_EQ(static_cast<const mqgw_frontend_ops*>(d->ops)->struct_size, sizeof(mqgw_frontend_ops));
  EXPECT_EQ(d->config_schema_len, 7u);
}

TEST(Connect, BadConfigValueFailsCreate) {
  Harness h;
  void* inst = nullptr;
  mqgw_kv kv[] = {{"max_inflight", "zero"}};
  EXPECT_EQ(h.ops->create(kv, 1, &inst), MQGW_E_INVAL);
  mqgw_kv unknown[] = {{"nope", "1"}};
  EXPECT_EQ(h.ops->create(unknown, 1, &inst), MQGW_E_INVAL);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing

namespace mqgw::mqttfe::testing {
namespace {

TEST(Connect, Level5UnderAnotherNameGetsV5Refusal) {
  Harness h;
  // "MQIsdp" with level 5 is not a pair we speak, but the client reads v5 packets.
  auto bytes = connectPacket(mqtt::Version::V31, "dev");
  ASSERT_EQ(bytes[4], 'M');
  ASSERT_EQ(bytes[9], 'p');
  bytes[10] = 5;
  h.feed(bytes);
  EXPECT_EQ(hex(h.takeBytes()).substr(0, 20), "20 22 00 84 1f 1f 00")
      << "0x84 with the Reason String 'unsupported protocol version'";
  EXPECT_EQ(h.conn.closeCalls, 1);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
