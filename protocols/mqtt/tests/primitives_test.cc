// Variable byte integers, MQTT UTF-8 rules, the v3 CONNACK mapping and the protocol check.
#include <gtest/gtest.h>

#include "mqtt/codec_io.h"

namespace mqgw::mqtt {
namespace {

struct VarintCase {
  uint32_t value;
  Buffer bytes;
};

TEST(Varint, EncodesSpecBoundaries) {
  const std::vector<VarintCase> cases = {
      {0, {0x00}},
      {127, {0x7F}},
      {128, {0x80, 0x01}},
      {16383, {0xFF, 0x7F}},
      {16384, {0x80, 0x80, 0x01}},
      {2097151, {0xFF, 0xFF, 0x7F}},
      {2097152, {0x80, 0x80, 0x80, 0x01}},
      {268435455, {0xFF, 0xFF, 0xFF, 0x7F}},
  };
  for (const auto& c : cases) {
    Buffer out;
    appendVarint(c.value, out);
    EXPECT_EQ(out, c.bytes) << c.value;
    EXPECT_EQ(varintSize(c.value), c.bytes.size()) << c.value;
    uint32_t back = 0;
    size_t used = 0;
    ASSERT_EQ(detail::decodeVarint(out.data(), out.size(), back, used), detail::VarintResult::Ok);
    EXPECT_EQ(back, c.value);
    EXPECT_EQ(used, out.size());
  }
}

TEST(Varint, FourByteLengthNeedsMoreThenTooLarge) {
  const Buffer header = {0x30, 0x80, 0x80, 0x80, 0x01};  // 2 MiB remaining length
  EXPECT_EQ(readFrame(header, 0xFFFFFFFFu).status, Status::NeedMore);
  FrameResult fr = readFrame(header, 1024 * 1024);
  EXPECT_EQ(fr.status, Status::Error);
  EXPECT_EQ(fr.error.reason, reason::PacketTooLarge);
}

TEST(Utf8, AcceptsValidAndRejectsForbidden) {
  using detail::validMqttUtf8;
  EXPECT_TRUE(validMqttUtf8(""));
  EXPECT_TRUE(validMqttUtf8("sensors/temp"));
  EXPECT_TRUE(validMqttUtf8("caf\xC3\xA9"));             // U+00E9
  EXPECT_TRUE(validMqttUtf8("\xE2\x82\xAC"));            // U+20AC
  EXPECT_TRUE(validMqttUtf8("\xF0\x9F\x98\x80"));        // U+1F600
  EXPECT_TRUE(validMqttUtf8("\xEF\xBF\xBF"));            // U+FFFF: discouraged, not forbidden
  EXPECT_FALSE(validMqttUtf8(std::string_view("a\0b", 3)));
  EXPECT_FALSE(validMqttUtf8("\xC0\xAF"));               // overlong '/'
  EXPECT_FALSE(validMqttUtf8("\xE0\x80\xAF"));           // overlong
  EXPECT_FALSE(validMqttUtf8("\xED\xA0\x80"));           // U+D800
  EXPECT_FALSE(validMqttUtf8("\xED\xBF\xBF"));           // U+DFFF
  EXPECT_FALSE(validMqttUtf8("\xF4\x90\x80\x80"));       // U+110000
  EXPECT_FALSE(validMqttUtf8("\x80"));                   // lone continuation
  EXPECT_FALSE(validMqttUtf8("\xE2\x82"));               // cut short
  EXPECT_FALSE(validMqttUtf8("\xF8\x88\x80\x80\x80"));   // 5-byte form
}

TEST(ConnackV3, MapsV5Reasons) {
  EXPECT_EQ(connackV3Code(reason::Success), connack_v3::Accepted);
  EXPECT_EQ(connackV3Code(reason::UnsupportedProtocolVersion), connack_v3::BadProtocolVersion);
  EXPECT_EQ(connackV3Code(reason::ClientIdentifierNotValid), connack_v3::IdentifierRejected);
  EXPECT_EQ(connackV3Code(reason::BadUserNameOrPassword), connack_v3::BadUsernameOrPassword);
  EXPECT_EQ(connackV3Code(reason::NotAuthorized), connack_v3::NotAuthorized);
  EXPECT_EQ(connackV3Code(reason::Banned), connack_v3::NotAuthorized);
  EXPECT_EQ(connackV3Code(reason::ServerUnavailable), connack_v3::ServerUnavailable);
  EXPECT_EQ(connackV3Code(reason::ServerBusy), connack_v3::ServerUnavailable);
  EXPECT_EQ(connackV3Code(reason::QuotaExceeded), connack_v3::ServerUnavailable);
}

TEST(SupportedProtocol, KnowsTheThreeVersions) {
  EXPECT_TRUE(supportedProtocol("MQIsdp", 3));
  EXPECT_TRUE(supportedProtocol("MQTT", 4));
  EXPECT_TRUE(supportedProtocol("MQTT", 5));
  EXPECT_FALSE(supportedProtocol("MQTT", 3));
  EXPECT_FALSE(supportedProtocol("MQIsdp", 4));
  EXPECT_FALSE(supportedProtocol("mqtt", 4));
  EXPECT_FALSE(supportedProtocol("MQTT", 6));
}

TEST(EncodeAppends, PublishGrowsGeometricallyWhenAppending) {
  Publish p;
  p.topic = "t";
  p.payload = "0123456789";
  Buffer out;
  for (int i = 0; i < 1000; ++i) encodePublish(p, Version::V311, out);
  EXPECT_EQ(out.size(), 1000 * publishSize(p, Version::V311));
  EXPECT_LT(out.capacity(), 2 * out.size() + 64);
}

}  // namespace
}  // namespace mqgw::mqtt
