// The message ID as hex and the MQTT UTF-8 rule (message_fields.h). The backends' record tests
// check the same through their records.
#include "message_fields.h"

#include <gtest/gtest.h>

namespace mqgw::cluster {
namespace {

TEST(MessageFields, HexRoundTripsAndReadsEitherCase) {
  const uint8_t id[4] = {0x00, 0x9f, 0xa0, 0xff};
  EXPECT_EQ(hexOf(id, 4), "009fa0ff");
  EXPECT_EQ(hexOf(id, 0), "");
  uint8_t back[4] = {};
  ASSERT_TRUE(parseHex("009FA0ff", back, 4));
  EXPECT_EQ(hexOf(back, 4), "009fa0ff");
}

TEST(MessageFields, ParseHexRefusesWrongLengthAndNonDigits) {
  uint8_t out[2] = {};
  EXPECT_FALSE(parseHex("abc", out, 2));
  EXPECT_FALSE(parseHex("abcdef", out, 2));
  EXPECT_FALSE(parseHex("abcg", out, 2));
  EXPECT_FALSE(parseHex(" bcd", out, 2));
  EXPECT_TRUE(parseHex("", out, 0));
}

TEST(MessageFields, MqttUtf8FollowsTheSpec) {
  EXPECT_TRUE(mqttUtf8(""));
  EXPECT_TRUE(mqttUtf8("a/b"));
  EXPECT_TRUE(mqttUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(mqttUtf8(std::string_view("a\0b", 3)));           // U+0000
  EXPECT_FALSE(mqttUtf8("\xc0\xaf"));                             // overlong '/'
  EXPECT_FALSE(mqttUtf8("\xe0\x80\xaf"));                         // overlong, 3 bytes
  EXPECT_FALSE(mqttUtf8("\xed\xa0\x80"));                         // a surrogate
  EXPECT_FALSE(mqttUtf8("\xf4\x90\x80\x80"));                     // above U+10FFFF
  EXPECT_FALSE(mqttUtf8("\xc3"));                                 // cut short
  EXPECT_FALSE(mqttUtf8("\x80"));                                 // a lone continuation
  EXPECT_FALSE(mqttUtf8("\xf8\x88\x80\x80\x80"));                 // 5-byte form
}

TEST(MessageFields, MqttUtf8HasTheMqttLengthLimit) {
  EXPECT_TRUE(mqttUtf8(std::string(kMaxMqttString, 'x')));
  EXPECT_FALSE(mqttUtf8(std::string(kMaxMqttString + 1, 'x')));
}

}  // namespace
}  // namespace mqgw::cluster
