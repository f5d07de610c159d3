// Cursor blob encoding: round trips, size, and every way a blob can be malformed.
#include <gtest/gtest.h>

#include <limits>

#include "cursor_codec.h"

namespace mqgw::native::testing {
namespace {

std::span<const uint8_t> asBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::vector<Position> roundTrip(const std::vector<Position>& in) {
  std::string blob;
  encodeCursor(in, &blob);
  std::vector<Position> out;
  EXPECT_TRUE(decodeCursor(asBytes(blob), &out));
  return out;
}

TEST(CursorCodec, RoundTripsOneAndManyPartitions) {
  std::vector<Position> one{{0, 1000000}};
  EXPECT_EQ(roundTrip(one), one);
  std::vector<Position> many{{3, 0}, {0, 127}, {1, 128}, {7, 1ull << 40}};
  EXPECT_EQ(roundTrip(many), many);
}

TEST(CursorCodec, RoundTripsExtremes) {
  std::vector<Position> extremes{
      {std::numeric_limits<uint32_t>::max(), std::numeric_limits<uint64_t>::max()}, {0, 0}};
  EXPECT_EQ(roundTrip(extremes), extremes);
}

TEST(CursorCodec, IsCompact) {
  std::string blob;
  encodeCursor(std::vector<Position>{{0, 1000000}}, &blob);
  EXPECT_EQ(blob.size(), 6u) << "version, count, partition, 3-byte offset";
  EXPECT_EQ(static_cast<uint8_t>(blob[0]), kCursorFormatV1);
}

TEST(CursorCodec, DecodeClearsOutput) {
  std::string blob;
  encodeCursor(std::vector<Position>{{1, 2}}, &blob);
  std::vector<Position> out{{9, 9}, {8, 8}};
  ASSERT_TRUE(decodeCursor(asBytes(blob), &out));
  EXPECT_EQ(out, (std::vector<Position>{{1, 2}}));
}

bool decodes(std::vector<uint8_t> blob) {
  std::vector<Position> out;
  return decodeCursor(blob, &out);
}

TEST(CursorCodec, RejectsMalformedBlobs) {
  EXPECT_TRUE(decodes({0x01, 0x01, 0x00, 0x05}));
  EXPECT_FALSE(decodes({})) << "empty";
  EXPECT_FALSE(decodes({0x02, 0x01, 0x00, 0x05})) << "unknown version";
  EXPECT_FALSE(decodes({0x01, 0x00})) << "zero positions";
  EXPECT_FALSE(decodes({0x01, 0x01, 0x00})) << "missing offset";
  EXPECT_FALSE(decodes({0x01, 0x01, 0x00, 0x85})) << "truncated varint";
  EXPECT_FALSE(decodes({0x01, 0x01, 0x00, 0x05, 0x00})) << "trailing byte";
  EXPECT_FALSE(decodes({0x01, 0x02, 0x00, 0x05})) << "fewer positions than counted";
  EXPECT_FALSE(decodes({0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00})) << "huge count";
  // partition 2^32 does not fit u32
  EXPECT_FALSE(decodes({0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00}));
  // an 11-byte varint, and a 10th byte carrying more than bit 63
  EXPECT_FALSE(decodes({0x01, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                        0xff, 0x01}));
  EXPECT_FALSE(decodes({0x01, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                        0x02}));
}

}  // namespace
}  // namespace mqgw::native::testing
