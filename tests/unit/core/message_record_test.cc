// The core's stable message record: every field survives a round trip, the ID and time are
// kept (not re-assigned), and bytes that are not a complete v1 record are refused — every
// truncation, a newer version, an impossible property count.
#include <gtest/gtest.h>

#include <cstring>

#include <string>
#include <vector>

#include "message/message.h"
#include "message/message_record.h"

namespace mqgw::message {
namespace {

mqgw_str str(const std::string& s) { return {s.data(), s.size()}; }
std::string text(const mqgw_str& s) { return std::string(s.ptr, s.len); }

struct Full {
  std::string topic = "a/b", payload = std::string("x\0y", 3), ct = "text/plain",
              rt = "reply/to", cd = "corr", pub = "client-1", k1 = "k1", v1 = "v1", k2 = "k2",
              v2 = "";
  std::vector<mqgw_user_prop> props{{str(k1), str(v1)}, {str(k2), str(v2)}};
  mqgw_message* make() {
    mqgw_message_view v{};
    v.struct_size = sizeof v;
    v.topic = str(topic);
    v.payload = str(payload);
    v.qos = 2;
    v.retain = 1;
    v.payload_format = 1;
    v.has_expiry = 1;
    v.expiry_interval_s = 3600;
    v.content_type = str(ct);
    v.response_topic = str(rt);
    v.correlation_data = str(cd);
    v.user_props = props.data();
    v.user_prop_count = 2;
    v.publisher_id = str(pub);
    return create(v);
  }
};

std::vector<uint8_t> encode(const mqgw_message* m) {
  std::vector<uint8_t> out(encodeRecord(m->view, nullptr, 0));
  EXPECT_EQ(encodeRecord(m->view, out.data(), out.size()), out.size());
  return out;
}

TEST(MessageRecord, EveryFieldSurvivesARoundTrip) {
  Full f;
  mqgw_message* m = f.make();
  std::vector<uint8_t> bytes = encode(m);
  mqgw_message* back = decodeRecord(bytes.data(), bytes.size());
  ASSERT_NE(back, nullptr);
  const mqgw_message_view& a = m->view;
  const mqgw_message_view& b = back->view;
  EXPECT_EQ(text(b.topic), f.topic);
  EXPECT_EQ(text(b.payload), f.payload);
  EXPECT_EQ(b.qos, 2);
  EXPECT_EQ(b.retain, 1);
  EXPECT_EQ(b.payload_format, 1);
  EXPECT_EQ(b.has_expiry, 1);
  EXPECT_EQ(b.expiry_interval_s, 3600u);
  EXPECT_EQ(text(b.content_type), f.ct);
  EXPECT_EQ(text(b.response_topic), f.rt);
  EXPECT_EQ(text(b.correlation_data), f.cd);
  EXPECT_EQ(text(b.publisher_id), f.pub);
  ASSERT_EQ(b.user_prop_count, 2u);
  EXPECT_EQ(text(b.user_props[0].key), "k1");
  EXPECT_EQ(text(b.user_props[1].value), "");
  EXPECT_EQ(b.created_ms, a.created_ms) << "a stored message keeps its time";
  EXPECT_EQ(std::memcmp(b.id, a.id, 16), 0) << "and its ID";
  EXPECT_EQ(encode(back), bytes) << "re-encoding is byte-identical";
  unref(back);
  unref(m);
}

TEST(MessageRecord, ASmallBufferIsNotWrittenPastItsEnd) {
  Full f;
  mqgw_message* m = f.make();
  size_t need = encodeRecord(m->view, nullptr, 0);
  std::vector<uint8_t> buf(need + 8, 0xAA);
  EXPECT_EQ(encodeRecord(m->view, buf.data(), need - 1), need);
  for (size_t i = need - 1; i < buf.size(); ++i) EXPECT_EQ(buf[i], 0xAA) << i;
  unref(m);
}

TEST(MessageRecord, EveryTruncationIsRefused) {
  Full f;
  mqgw_message* m = f.make();
  std::vector<uint8_t> bytes = encode(m);
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_EQ(decodeRecord(bytes.data(), n), nullptr) << "length " << n;
  bytes.push_back(0);
  EXPECT_EQ(decodeRecord(bytes.data(), bytes.size()), nullptr) << "a trailing byte";
  unref(m);
}

TEST(MessageRecord, ANewerVersionOrBadFlagsAreRefused) {
  Full f;
  mqgw_message* m = f.make();
  std::vector<uint8_t> bytes = encode(m);
  auto changed = [&](size_t at, uint8_t value) {
    std::vector<uint8_t> b = bytes;
    b[at] = value;
    return decodeRecord(b.data(), b.size());
  };
  EXPECT_EQ(changed(0, 'X'), nullptr) << "magic";
  EXPECT_EQ(changed(1, 2), nullptr) << "version 2";
  EXPECT_EQ(changed(2, 0x03), nullptr) << "QoS 3";
  EXPECT_EQ(changed(2, 0x10), nullptr) << "unknown flag";
  unref(m);
}

TEST(MessageRecord, AHugePropertyCountIsRefusedWithoutAllocatingForIt) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  std::string topic = "t";
  v.topic = str(topic);
  std::vector<uint8_t> bytes(encodeRecord(v, nullptr, 0));
  encodeRecord(v, bytes.data(), bytes.size());
  bytes.pop_back();  // the count (0), replaced by a varint of 2^35
  for (uint8_t b : {0x80, 0x80, 0x80, 0x80, 0x01}) bytes.push_back(b);
  EXPECT_EQ(decodeRecord(bytes.data(), bytes.size()), nullptr);
}

}  // namespace
}  // namespace mqgw::message
