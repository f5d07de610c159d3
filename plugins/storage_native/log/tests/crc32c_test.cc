// CRC32C against the published check value and the RFC 3720 (iSCSI) vectors, on both code paths.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "log/crc32c.h"
#include "log/record_format.h"

namespace mqgw::nlog {
namespace {

struct Vector {
  std::vector<uint8_t> data;
  uint32_t crc;
};

std::vector<Vector> knownVectors() {
  std::vector<Vector> v;
  const char* check = "123456789";
  v.push_back({{check, check + 9}, 0xE3069283u});
  v.push_back({std::vector<uint8_t>(32, 0x00), 0x8A9136AAu});
  v.push_back({std::vector<uint8_t>(32, 0xFF), 0x62A8AB43u});
  std::vector<uint8_t> up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<uint8_t>(i);
    down[i] = static_cast<uint8_t>(31 - i);
  }
  v.push_back({up, 0x46DD794Eu});
  v.push_back({down, 0x113FDB5Cu});
  v.push_back({{}, 0u});
  return v;
}

TEST(Crc32c, KnownVectorsPortable) {
  for (const auto& v : knownVectors()) {
    EXPECT_EQ(crc32cExtendPortable(0, v.data.data(), v.data.size()), v.crc) << v.data.size();
  }
}

TEST(Crc32c, KnownVectorsHardwareAndDispatch) {
  if (!crc32cHardwareAvailable()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  for (const auto& v : knownVectors()) {
    EXPECT_EQ(crc32cExtendHardware(0, v.data.data(), v.data.size()), v.crc);
    EXPECT_EQ(crc32c(v.data.data(), v.data.size()), v.crc);
  }
}

TEST(Crc32c, ExtendEqualsWholeAndPathsAgreeAtEveryAlignment) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(4096 + 16);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 100u, 1000u, 4096u}) {
      const uint8_t* p = buf.data() + start;
      uint32_t whole = crc32cExtendPortable(0, p, len);
      EXPECT_EQ(crc32cExtendHardware(0, p, len), whole) << start << "/" << len;
      size_t split = len / 3;
      uint32_t joined = crc32c(p, split);
      joined = crc32cExtend(joined, p + split, len - split);
      EXPECT_EQ(joined, whole) << start << "/" << len;
    }
  }
}

TEST(RecordFormat, SealedFrameVerifiesAndAnyFlippedBitBreaksIt) {
  const char body[] = "hello";
  std::vector<uint8_t> frame(frameSize(5));
  stageFrame(frame.data(), {reinterpret_cast<const uint8_t*>(body), 5});
  sealFrame(frame.data(), 77, 1234);
  RecordHeader h = decodeRecordHeader(frame.data());
  EXPECT_EQ(h.body_len, 5u);
  EXPECT_EQ(h.offset, 77u);
  EXPECT_EQ(h.timestamp_ms, 1234u);
  EXPECT_TRUE(frameCrcMatches(frame.data(), 5));
  for (size_t bit = 0; bit < frame.size() * 8; ++bit) {
    frame[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    uint32_t len = getU32(frame.data() + 4);
    bool still_ok = len == 5 && frameCrcMatches(frame.data(), 5);
    EXPECT_FALSE(still_ok) << "bit " << bit;
    frame[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  // A zero-filled record slot (preallocated tail) never verifies.
  std::vector<uint8_t> zeros(kRecordHeaderSize, 0);
  EXPECT_FALSE(frameCrcMatches(zeros.data(), 0));
}

TEST(RecordFormat, FileHeaderChecksMagicBaseAndChecksum) {
  uint8_t h[kFileHeaderSize];
  encodeFileHeader(h, kLogMagic, 4096);
  EXPECT_EQ(std::memcmp(h, "MQLG", 4), 0);
  EXPECT_TRUE(validFileHeader(h, kLogMagic, 4096));
  EXPECT_FALSE(validFileHeader(h, kIndexMagic, 4096));
  EXPECT_FALSE(validFileHeader(h, kLogMagic, 4097));
  h[16] ^= 1;  // reserved byte: covered by the checksum
  EXPECT_FALSE(validFileHeader(h, kLogMagic, 4096));
}

}  // namespace
}  // namespace mqgw::nlog
