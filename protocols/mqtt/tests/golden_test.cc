// Table-driven tests over every golden packet: decode (from guard-paged memory) to the expected
// fields, encode to the exact golden bytes, round trip, and every truncation point.
#include <gtest/gtest.h>

#include "golden_packets.h"
#include "guard_page.h"

namespace mqgw::mqtt::testing {
namespace {

constexpr uint32_t kNoLimit = 0xFFFFFFFFu;

class GoldenTest : public ::testing::TestWithParam<GoldenPacket> {};

TEST_P(GoldenTest, DecodesToExpectedFields) {
  const GoldenPacket& g = GetParam();
  GuardedBytes in(g.bytes);
  FrameResult fr = readFrame(in.span(), kNoLimit);
  ASSERT_EQ(fr.status, Status::Ok) << fr.error.what;
  EXPECT_EQ(fr.frame.size, g.bytes.size());
  AnyPacket decoded;
  auto err = decodeAny(fr.frame, g.version, decoded);
  ASSERT_FALSE(err.has_value()) << err->what;
  EXPECT_TRUE(sameFields(decoded, g.expected));
}

TEST_P(GoldenTest, EncodesToGoldenBytes) {
  const GoldenPacket& g = GetParam();
  Buffer out = {0xAA};  // encoders append: existing bytes must stay
  encodeAny(g.expected, g.version, out);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0], 0xAA);
  EXPECT_EQ(Buffer(out.begin() + 1, out.end()), g.bytes);
}

TEST_P(GoldenTest, DecodeThenEncodeGivesSameBytes) {
  const GoldenPacket& g = GetParam();
  FrameResult fr = readFrame(g.bytes, kNoLimit);
  ASSERT_EQ(fr.status, Status::Ok);
  AnyPacket decoded;
  ASSERT_FALSE(decodeAny(fr.frame, g.version, decoded).has_value());
  Buffer out;
  encodeAny(decoded, g.version, out);
  EXPECT_EQ(out, g.bytes);
}

TEST_P(GoldenTest, EveryTruncationNeedsMore) {
  const GoldenPacket& g = GetParam();
  for (size_t len = 0; len < g.bytes.size(); ++len) {
    GuardedBytes in(std::span(g.bytes).first(len));
    FrameResult fr = readFrame(in.span(), kNoLimit);
    EXPECT_EQ(fr.status, Status::NeedMore) << "prefix length " << len;
  }
}

// Decoders are handed bodies cut short at every point; the guard page turns any read past the
// body into a crash. Cutting a packet's mandatory part must be an error.
TEST_P(GoldenTest, TruncatedBodiesNeverReadPastTheEnd) {
  const GoldenPacket& g = GetParam();
  FrameResult full = readFrame(g.bytes, kNoLimit);
  ASSERT_EQ(full.status, Status::Ok);
  for (size_t len = 0; len < full.frame.body.size(); ++len) {
    GuardedBytes body(full.frame.body.first(len));
    Frame f = full.frame;
    f.body = body.span();
    AnyPacket decoded;
    auto err = decodeAny(f, g.version, decoded);
    if (len < 2 && f.type != PacketType::Disconnect && f.type != PacketType::Auth) {
      EXPECT_TRUE(err.has_value()) << "body length " << len;
    }
  }
}

TEST_P(GoldenTest, PublishSizeMatchesEncoding) {
  const GoldenPacket& g = GetParam();
  if (const auto* p = std::get_if<Publish>(&g.expected)) {
    EXPECT_EQ(publishSize(*p, g.version), g.bytes.size());
    Buffer out;
    encodePublish(*p, g.version, out);
    EXPECT_EQ(out.capacity(), g.bytes.size());  // one exact reservation, no regrowth
  }
}

INSTANTIATE_TEST_SUITE_P(AllPackets, GoldenTest, ::testing::ValuesIn(goldenPackets()),
    [](const ::testing::TestParamInfo<GoldenPacket>& info) { return info.param.name; });

// A connection reads many packets from one buffer: every golden packet of a version, back to back.
TEST(GoldenStream, ReadsConsecutivePacketsInOrder) {
  for (Version v : {Version::V311, Version::V5}) {
    Buffer stream;
    std::vector<const GoldenPacket*> sent;
    for (const GoldenPacket& g : goldenPackets()) {
      if (g.version != v) continue;
      stream.insert(stream.end(), g.bytes.begin(), g.bytes.end());
      sent.push_back(&g);
    }
    GuardedBytes in(stream);
    std::span<const uint8_t> rest = in.span();
    for (const GoldenPacket* g : sent) {
      FrameResult fr = readFrame(rest, kNoLimit);
      ASSERT_EQ(fr.status, Status::Ok) << g->name;
      AnyPacket decoded;
      ASSERT_FALSE(decodeAny(fr.frame, v, decoded).has_value()) << g->name;
      EXPECT_TRUE(sameFields(decoded, g->expected)) << g->name;
      rest = rest.subspan(fr.frame.size);
    }
    EXPECT_TRUE(rest.empty());
  }
}

TEST(GoldenStream, ReusedStructIsClearedBetweenPackets) {
  const GoldenPacket* withProps = nullptr;
  const GoldenPacket* plain = nullptr;
  for (const GoldenPacket& g : goldenPackets()) {
    if (g.name == "v5_publish_properties") withProps = &g;
    if (g.name == "v5_publish_qos0_no_properties") plain = &g;
  }
  ASSERT_TRUE(withProps && plain);
  Publish p;
  ASSERT_FALSE(decodePublish(readFrame(withProps->bytes, kNoLimit).frame, Version::V5, p));
  EXPECT_EQ(p.properties.userProperties.size(), 1u);
  ASSERT_FALSE(decodePublish(readFrame(plain->bytes, kNoLimit).frame, Version::V5, p));
  EXPECT_TRUE(sameFields(AnyPacket(p), plain->expected));
}

}  // namespace
}  // namespace mqgw::mqtt::testing
