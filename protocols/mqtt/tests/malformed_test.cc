// Malformed and forbidden packets: each must fail, at readFrame or in the decoder, with the
// reason code a server would send.
#include <gtest/gtest.h>

#include <string>

#include "guard_page.h"
#include "mqtt/testing/any_packet.h"

namespace mqgw::mqtt::testing {
namespace {

using B = std::vector<uint8_t>;
constexpr Version V311 = Version::V311, V5 = Version::V5;

struct BadCase {
  std::string name;
  Version version;
  B bytes;
  uint8_t reason;
  uint32_t maxPacketSize = 0xFFFFFFFFu;
};

inline void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> badCases() {
  using namespace reason;
  return {
      {"varint_five_bytes", V311, {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, MalformedPacket},
      {"varint_not_minimal", V311, {0x30, 0x80, 0x00}, MalformedPacket},
      {"reserved_type_0", V311, {0x00, 0x00}, MalformedPacket},
      {"pubrel_flags_0", V311, {0x60, 0x02, 0x00, 0x01}, MalformedPacket},
      {"subscribe_flags_0", V311, {0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x00}, MalformedPacket},
      {"unsubscribe_flags_3", V311, {0xA3, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'}, MalformedPacket},
      {"puback_flags_1", V311, {0x41, 0x02, 0x00, 0x01}, MalformedPacket},
      {"pingreq_flags_1", V311, {0xC1, 0x00}, MalformedPacket},
      {"pingreq_with_body", V311, {0xC0, 0x01, 0x00}, MalformedPacket},
      {"pingresp_with_body", V311, {0xD0, 0x01, 0x00}, MalformedPacket},
      {"publish_qos3", V311, {0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01}, MalformedPacket},
      {"oversize_known_from_header", V311, {0x30, 0xC8, 0x01}, PacketTooLarge, 100},
      {"oversize_whole_packet", V311, {0x30, 0x04, 0x00, 0x01, 't', 'x'}, PacketTooLarge, 5},
      {"utf8_overlong", V311, {0x30, 0x05, 0x00, 0x03, 'a', 0xC0, 0x80}, MalformedPacket},
      {"utf8_surrogate", V311, {0x30, 0x06, 0x00, 0x04, 'a', 0xED, 0xA0, 0x80}, MalformedPacket},
      {"utf8_nul", V311, {0x30, 0x04, 0x00, 0x02, 'a', 0x00}, MalformedPacket},
      {"utf8_cut_sequence", V311, {0x30, 0x05, 0x00, 0x03, 'a', 0xE2, 0x82}, MalformedPacket},
      {"utf8_above_10ffff", V311, {0x30, 0x06, 0x00, 0x04, 0xF4, 0x90, 0x80, 0x80},
          MalformedPacket},
      {"publish_wildcard_plus", V311, {0x30, 0x05, 0x00, 0x03, 'a', '/', '+'}, TopicNameInvalid},
      {"publish_wildcard_hash", V5, {0x30, 0x04, 0x00, 0x01, '#', 0x00}, TopicNameInvalid},
      {"publish_qos1_packet_id_0", V311, {0x32, 0x05, 0x00, 0x01, 't', 0x00, 0x00}, ProtocolError},
      {"publish_dup_on_qos0", V311, {0x38, 0x03, 0x00, 0x01, 't'}, MalformedPacket},
      {"publish_empty_topic_v311", V311, {0x30, 0x02, 0x00, 0x00}, ProtocolError},
      {"publish_empty_topic_no_alias", V5, {0x30, 0x04, 0x00, 0x00, 0x00, 'x'}, ProtocolError},
      {"publish_topic_length_past_body", V311, {0x30, 0x03, 0x00, 0x05, 'a'}, MalformedPacket},
      {"puback_packet_id_0", V311, {0x40, 0x02, 0x00, 0x00}, ProtocolError},
      {"puback_v311_trailing", V311, {0x40, 0x03, 0x00, 0x01, 0x00}, MalformedPacket},
      {"puback_v5_bad_reason", V5, {0x40, 0x03, 0x00, 0x01, 0x05}, MalformedPacket},
      {"pubrel_v5_puback_only_reason", V5, {0x62, 0x03, 0x00, 0x01, 0x10}, MalformedPacket},
      // v5 properties
      {"duplicate_property", V5, {0x30, 0x08, 0x00, 0x01, 't', 0x04, 0x01, 0x00, 0x01, 0x01},
          ProtocolError},
      {"property_not_allowed", V5,
          {0x30, 0x09, 0x00, 0x01, 't', 0x05, 0x11, 0x00, 0x00, 0x00, 0x01}, ProtocolError},
      {"property_unknown_id", V5, {0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x05, 0x00},
          MalformedPacket},
      {"property_length_past_body", V5, {0x30, 0x05, 0x00, 0x01, 't', 0x05, 0x01},
          MalformedPacket},
      {"property_value_cut", V5, {0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x02, 0x00},
          MalformedPacket},
      {"property_payload_format_2", V5, {0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x01, 0x02},
          ProtocolError},
      {"property_topic_alias_0", V5, {0x30, 0x07, 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x00},
          ProtocolError},
      {"property_subscription_id_0", V5, {0x30, 0x06, 0x00, 0x01, 't', 0x02, 0x0B, 0x00},
          ProtocolError},
      {"property_bad_utf8", V5, {0x30, 0x08, 0x00, 0x01, 't', 0x04, 0x03, 0x00, 0x01, 0xFF},
          MalformedPacket},
      // User Property (a UTF-8 String Pair): each half is checked on its own (MQTT-1.5.7-1)
      {"user_property_key_bad_utf8", V5,
          {0x30, 0x0B, 0x00, 0x01, 't', 0x07, 0x26, 0x00, 0x01, 0xFF, 0x00, 0x01, 'v'},
          MalformedPacket},
      {"user_property_value_surrogate", V5,
          {0x30, 0x0D, 0x00, 0x01, 't', 0x09, 0x26, 0x00, 0x01, 'k', 0x00, 0x03, 0xED, 0xA0,
              0x80},
          MalformedPacket},
      {"user_property_value_nul", V5,
          {0x30, 0x0B, 0x00, 0x01, 't', 0x07, 0x26, 0x00, 0x01, 'k', 0x00, 0x01, 0x00},
          MalformedPacket},
      // a Response Topic is a Topic Name: no wildcards (MQTT-3.3.2-14)
      {"response_topic_wildcard_plus", V5,
          {0x30, 0x0A, 0x00, 0x01, 't', 0x06, 0x08, 0x00, 0x03, 'a', '/', '+'}, ProtocolError},
      {"response_topic_wildcard_hash", V5,
          {0x30, 0x08, 0x00, 0x01, 't', 0x04, 0x08, 0x00, 0x01, '#'}, ProtocolError},
      {"subscribe_duplicate_subscription_id", V5,
          {0x82, 0x0B, 0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02, 0x00, 0x01, 'a', 0x00},
          ProtocolError},
      {"auth_data_without_method", V5, {0xF0, 0x06, 0x18, 0x04, 0x16, 0x00, 0x01, 0x01},
          ProtocolError},
      // CONNECT
      {"connect_reserved_flag", V311,
          {0x10, 0x0F, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x03, 0, 10, 0, 3, 'a', 'b', 'c'},
          MalformedPacket},
      {"connect_password_without_username", V311,
          {0x10, 0x12, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x42, 0, 10, 0, 3, 'a', 'b', 'c', 0, 1, 'p'},
          MalformedPacket},
      {"connect_will_qos_without_will", V311,
          {0x10, 0x0F, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x0A, 0, 10, 0, 3, 'a', 'b', 'c'},
          MalformedPacket},
      {"connect_will_retain_without_will", V311,
          {0x10, 0x0F, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x22, 0, 10, 0, 3, 'a', 'b', 'c'},
          MalformedPacket},
      {"connect_will_qos3", V311,
          {0x10, 0x13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x1E, 0, 10, 0, 1, 'a', 0, 1, 't', 0, 1,
              'x'},
          MalformedPacket},
      {"connect_will_topic_wildcard", V311,
          {0x10, 0x13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x06, 0, 10, 0, 1, 'a', 0, 1, '#', 0, 1,
              'x'},
          TopicNameInvalid},
      {"connect_mqtt_level_3", V311,
          {0x10, 0x0F, 0, 4, 'M', 'Q', 'T', 'T', 3, 0x02, 0, 10, 0, 3, 'a', 'b', 'c'},
          UnsupportedProtocolVersion},
      {"connect_trailing_bytes", V311,
          {0x10, 0x10, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10, 0, 3, 'a', 'b', 'c', 'd'},
          MalformedPacket},
      {"connect_v5_property_not_allowed", V5,
          {0x10, 0x0F, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, 10, 0x02, 0x24, 0x01, 0, 0},
          ProtocolError},
      {"connack_reserved_flags", V311, {0x20, 0x02, 0x02, 0x00}, MalformedPacket},
      {"connack_v311_return_code_6", V311, {0x20, 0x02, 0x00, 0x06}, MalformedPacket},
      {"connack_v5_bad_reason", V5, {0x20, 0x03, 0x00, 0x04, 0x00}, MalformedPacket},
      // SUBSCRIBE family
      {"subscribe_no_topics", V311, {0x82, 0x02, 0x00, 0x01}, ProtocolError},
      {"subscribe_v5_no_topics", V5, {0x82, 0x03, 0x00, 0x01, 0x00}, ProtocolError},
      {"subscribe_packet_id_0", V311, {0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 'a', 0x00},
          ProtocolError},
      {"subscribe_qos3", V311, {0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x03}, MalformedPacket},
      {"subscribe_v311_reserved_bits", V311, {0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x04},
          MalformedPacket},
      {"subscribe_v5_reserved_bits", V5, {0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x40},
          MalformedPacket},
      {"subscribe_v5_retain_handling_3", V5,
          {0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x30}, ProtocolError},
      {"subscribe_missing_options", V311, {0x82, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'},
          MalformedPacket},
      {"suback_no_codes", V311, {0x90, 0x02, 0x00, 0x01}, ProtocolError},
      {"suback_v311_bad_code", V311, {0x90, 0x03, 0x00, 0x01, 0x03}, MalformedPacket},
      {"unsubscribe_no_topics", V311, {0xA2, 0x02, 0x00, 0x01}, ProtocolError},
      {"unsuback_v311_trailing", V311, {0xB0, 0x03, 0x00, 0x01, 0x00}, MalformedPacket},
      {"unsuback_v5_bad_code", V5, {0xB0, 0x04, 0x00, 0x01, 0x00, 0x02}, MalformedPacket},
      // control
      {"disconnect_v311_with_body", V311, {0xE0, 0x01, 0x00}, MalformedPacket},
      {"disconnect_v5_bad_reason", V5, {0xE0, 0x01, 0x01}, MalformedPacket},
      {"disconnect_v5_trailing", V5, {0xE0, 0x03, 0x00, 0x00, 0x00}, MalformedPacket},
      {"auth_before_v5", V311, {0xF0, 0x00}, MalformedPacket},
      {"auth_bad_reason", V5, {0xF0, 0x01, 0x01}, MalformedPacket},
      {"auth_flags_1", V5, {0xF1, 0x00}, MalformedPacket},
      {"auth_flags_8", V5, {0xF8, 0x02, 0x00, 0x00}, MalformedPacket},
      {"disconnect_v5_flags_2", V5, {0xE2, 0x00}, MalformedPacket},
  };
}

class MalformedTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(MalformedTest, IsRejectedWithReason) {
  const BadCase& c = GetParam();
  GuardedBytes in(c.bytes);
  FrameResult fr = readFrame(in.span(), c.maxPacketSize);
  ASSERT_NE(fr.status, Status::NeedMore);
  uint8_t got = 0;
  if (fr.status == Status::Error) {
    got = fr.error.reason;
  } else {
    AnyPacket decoded;
    auto err = decodeAny(fr.frame, c.version, decoded);
    ASSERT_TRUE(err.has_value()) << "decoded without error";
    got = err->reason;
    EXPECT_STRNE(err->what, "");
  }
  EXPECT_EQ(got, c.reason);
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedTest, ::testing::ValuesIn(badCases()),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

}  // namespace
}  // namespace mqgw::mqtt::testing
