#include <gtest/gtest.h>

#include <cstring>

#include "client_frames.h"

namespace mqgw::ws {
namespace {

using testing::Bytes;

TEST(FrameEncoder, HeaderSizesFollowTheLength) {
  uint8_t h[kMaxHeaderSize];
  EXPECT_EQ(encodeHeader(h, Opcode::Binary, true, 125), 2u);
  EXPECT_EQ(h[0], 0x82);
  EXPECT_EQ(h[1], 125);
  EXPECT_EQ(encodeHeader(h, Opcode::Binary, true, 126), 4u);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ((h[2] << 8) | h[3], 126);
  EXPECT_EQ(encodeHeader(h, Opcode::Binary, false, 65535), 4u);
  EXPECT_EQ(h[0], 0x02);
  EXPECT_EQ(encodeHeader(h, Opcode::Binary, true, 65536), 10u);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ(h[7], 1);  // 0x0000000000010000
  const uint8_t key[4] = {1, 2, 3, 4};
  EXPECT_EQ(encodeHeader(h, Opcode::Binary, true, 65536, key), 14u);
  EXPECT_EQ(h[1], 0x80 | 127);
  EXPECT_EQ(h[13], 4);
}

TEST(FrameEncoder, ServerFramesDecodeWhenMaskIsNotRequired) {
  FrameDecoder::Policy p;
  p.requireMask = false;
  FrameDecoder d(p);
  std::string payload(300, 'q');
  uint8_t h[kMaxHeaderSize];
  size_t n = encodeHeader(h, Opcode::Binary, true, payload.size());
  Bytes in(h, h + n);
  in.insert(in.end(), payload.begin(), payload.end());
  EXPECT_EQ(testing::decodeAll(d, in, 5).data, payload);
}

TEST(FrameEncoder, CloseFrame) {
  uint8_t f[kMaxControlFrame];
  size_t n = encodeClose(f, close_code::kTooBig, "frame too large");
  ASSERT_EQ(n, 2u + 2u + 15u);
  EXPECT_EQ(f[0], 0x88);
  EXPECT_EQ(f[1], 17);
  EXPECT_EQ((f[2] << 8) | f[3], 1009);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(f + 4), 15), "frame too large");
  EXPECT_EQ(encodeClose(f, close_code::kNoStatus, "x"), 2u);
  EXPECT_EQ(f[1], 0);
  // A reason longer than a control frame holds is cut, never overflowing.
  EXPECT_EQ(encodeClose(f, close_code::kNormal, std::string(300, 'r')), kMaxControlFrame);
}

TEST(FrameEncoder, PongEchoesPayload) {
  uint8_t f[kMaxControlFrame];
  const uint8_t p[3] = {9, 8, 7};
  ASSERT_EQ(encodeControl(f, Opcode::Pong, p, 3), 5u);
  EXPECT_EQ(f[0], 0x8A);
  EXPECT_EQ(f[1], 3);
  EXPECT_EQ(f[4], 7);
}

TEST(FrameEncoder, MaskPhaseContinuesAcrossChunks) {
  const uint8_t key[4] = {0xA, 0xB, 0xC, 0xD};
  const uint8_t src[7] = {1, 2, 3, 4, 5, 6, 7};
  uint8_t whole[7], parts[7];
  applyMask(whole, src, 7, key, 0);
  applyMask(parts, src, 3, key, 0);
  applyMask(parts + 3, src + 3, 4, key, 3);
  EXPECT_EQ(0, std::memcmp(whole, parts, 7));
  EXPECT_EQ(whole[4], 5 ^ 0xA);
}

TEST(Utf8, ValidAndInvalid) {
  auto v = [](const char* s, size_t n) { return validUtf8(reinterpret_cast<const uint8_t*>(s), n); };
  EXPECT_TRUE(v("plain", 5));
  EXPECT_TRUE(v("\xc3\xa9", 2));              // é
  EXPECT_TRUE(v("\xf0\x9f\x98\x80", 4));      // U+1F600
  EXPECT_FALSE(v("\xc3", 1));                 // truncated
  EXPECT_FALSE(v("\xc0\xaf", 2));             // overlong '/'
  EXPECT_FALSE(v("\xed\xa0\x80", 3));         // surrogate
  EXPECT_FALSE(v("\xf4\x90\x80\x80", 4));     // above U+10FFFF
  EXPECT_FALSE(v("\xff", 1));
}

TEST(CloseCodes, Validity) {
  EXPECT_TRUE(validCloseCode(1000));
  EXPECT_TRUE(validCloseCode(1011));
  EXPECT_TRUE(validCloseCode(4999));
  EXPECT_FALSE(validCloseCode(1004));
  EXPECT_FALSE(validCloseCode(1005));
  EXPECT_FALSE(validCloseCode(1006));
  EXPECT_FALSE(validCloseCode(1015));
  EXPECT_FALSE(validCloseCode(2999));
  EXPECT_FALSE(validCloseCode(5000));
}

}  // namespace
}  // namespace mqgw::ws
