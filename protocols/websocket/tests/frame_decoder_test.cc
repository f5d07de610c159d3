#include <gtest/gtest.h>

#include "client_frames.h"

namespace mqgw::ws {
namespace {

using testing::Bytes;
using testing::clientFrame;
using testing::decodeAll;
using testing::join;
using Kind = DecodeEvent::Kind;

FrameDecoder::Policy policy(uint64_t maxFrame = 1u << 20) {
  FrameDecoder::Policy p;
  p.maxFrameSize = maxFrame;
  return p;
}

TEST(FrameDecoder, UnmasksABinaryFrame) {
  FrameDecoder d(policy());
  auto out = decodeAll(d, clientFrame(Opcode::Binary, "\x10\x0c hello mqtt"));
  EXPECT_EQ(out.data, "\x10\x0c hello mqtt");
  EXPECT_TRUE(out.control.empty());
  EXPECT_EQ(d.framesDecoded(), 1u);
}

TEST(FrameDecoder, SameResultForEveryChunkSize) {
  std::string big(70000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + i % 26);
  Bytes in = join({clientFrame(Opcode::Binary, "first", false), clientFrame(Opcode::Ping, "p"),
                   clientFrame(Opcode::Continuation, std::string(300, 'm')),
                   clientFrame(Opcode::Binary, big)});
  const std::string expected = "first" + std::string(300, 'm') + big;
  for (size_t chunk : {size_t(1), size_t(2), size_t(3), size_t(7), size_t(4096), SIZE_MAX}) {
    FrameDecoder d(policy());
    auto out = decodeAll(d, in, chunk);
    EXPECT_EQ(out.data, expected) << "chunk " << chunk;
    ASSERT_EQ(out.control, std::vector<Kind>{Kind::Ping}) << "chunk " << chunk;
    EXPECT_EQ(out.controlPayloads[0], "p");
    EXPECT_EQ(d.framesDecoded(), 4u);
  }
}

TEST(FrameDecoder, SixteenAndSixtyFourBitLengths) {
  for (size_t n : {size_t(125), size_t(126), size_t(65535), size_t(65536)}) {
    FrameDecoder d(policy());
    auto out = decodeAll(d, clientFrame(Opcode::Binary, std::string(n, 'z')));
    EXPECT_EQ(out.data.size(), n);
    EXPECT_EQ(out.errorCode, 0);
  }
}

TEST(FrameDecoder, EmptyFramesAreAccepted) {
  FrameDecoder d(policy());
  auto out = decodeAll(d, join({clientFrame(Opcode::Binary, "", false),
                                clientFrame(Opcode::Continuation, "")}));
  EXPECT_EQ(out.data, "");
  EXPECT_EQ(out.errorCode, 0);
  EXPECT_EQ(d.framesDecoded(), 2u);
}

TEST(FrameDecoder, UnmaskedClientFrameIsAProtocolError) {
  FrameDecoder d(policy());
  auto out = decodeAll(d, clientFrame(Opcode::Binary, "abc", true, false));
  EXPECT_EQ(out.errorCode, close_code::kProtocolError);
  EXPECT_EQ(out.data, "");
}

TEST(FrameDecoder, TextIsUnsupportedData) {
  FrameDecoder d(policy());
  EXPECT_EQ(decodeAll(d, clientFrame(Opcode::Text, "hi")).errorCode, close_code::kUnsupportedData);
}

TEST(FrameDecoder, OversizeFrameIsRefusedFromItsHeader) {
  FrameDecoder d(policy(1000));
  Bytes header = clientFrame(Opcode::Binary, std::string(1001, 'a'));
  header.resize(8);  // 2 + 2 length + 4 mask: the payload never needs to arrive
  EXPECT_EQ(decodeAll(d, header).errorCode, close_code::kTooBig);
  FrameDecoder ok(policy(1000));
  EXPECT_EQ(decodeAll(ok, clientFrame(Opcode::Binary, std::string(1000, 'a'))).data.size(), 1000u);
}

TEST(FrameDecoder, RejectsWhatRfc6455Forbids) {
  struct Case {
    const char* name;
    Bytes in;
  } cases[] = {
      {"rsv1", clientFrame(Opcode::Binary, "x", true, true, 0x40)},
      {"opcode 3", clientFrame(Opcode(3), "x")},
      {"opcode 0xB", clientFrame(Opcode(0xB), "x")},
      {"fragmented ping", clientFrame(Opcode::Ping, "x", false)},
      {"long ping", clientFrame(Opcode::Ping, std::string(126, 'p'))},
      {"lone continuation", clientFrame(Opcode::Continuation, "x")},
      {"binary inside fragments",
       join({clientFrame(Opcode::Binary, "a", false), clientFrame(Opcode::Binary, "b")})},
      {"one-byte close", clientFrame(Opcode::Close, "\x03")},
      {"close 1005", clientFrame(Opcode::Close, "\x03\xed")},
      {"close 999", clientFrame(Opcode::Close, "\x03\xe7")},
  };
  for (const auto& c : cases) {
    FrameDecoder d(policy());
    EXPECT_EQ(decodeAll(d, c.in).errorCode, close_code::kProtocolError) << c.name;
  }
}

TEST(FrameDecoder, TopBitOfSixtyFourBitLengthIsAnError) {
  FrameDecoder d(policy(UINT64_MAX));
  Bytes in = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
  EXPECT_EQ(decodeAll(d, in).errorCode, close_code::kProtocolError);
}

TEST(FrameDecoder, CloseCarriesCodeAndReason) {
  FrameDecoder d(policy());
  auto out = decodeAll(d, join({clientFrame(Opcode::Close, "\x03\xe8" "bye"),
                                clientFrame(Opcode::Binary, "ignored")}));
  ASSERT_EQ(out.control, std::vector<Kind>{Kind::Close});
  EXPECT_EQ(out.closeCode, close_code::kNormal);
  EXPECT_EQ(out.controlPayloads[0], "bye");
  EXPECT_EQ(out.data, "");  // nothing after a close counts
}

TEST(FrameDecoder, EmptyCloseHasNoStatus) {
  FrameDecoder d(policy());
  auto out = decodeAll(d, clientFrame(Opcode::Close, ""));
  ASSERT_EQ(out.control, std::vector<Kind>{Kind::Close});
  EXPECT_EQ(out.closeCode, close_code::kNoStatus);
}

TEST(FrameDecoder, CloseReasonMustBeUtf8) {
  FrameDecoder d(policy());
  EXPECT_EQ(decodeAll(d, clientFrame(Opcode::Close, "\x03\xe8\xc3\x28")).errorCode,
            close_code::kInvalidPayload);
}

TEST(FrameDecoder, ErrorIsSticky) {
  FrameDecoder d(policy());
  decodeAll(d, clientFrame(Opcode::Text, "x"));
  Bytes more = clientFrame(Opcode::Binary, "fine");
  const uint8_t* p = more.data();
  size_t len = more.size();
  DecodeEvent ev = d.next(p, len);
  EXPECT_EQ(ev.kind, Kind::Error);
  EXPECT_EQ(ev.code, close_code::kUnsupportedData);
  EXPECT_EQ(len, 0u);
}

TEST(FrameDecoder, PongIsReported) {
  FrameDecoder d(policy());
  auto out = decodeAll(d, clientFrame(Opcode::Pong, "pp"));
  EXPECT_EQ(out.control, std::vector<Kind>{Kind::Pong});
  EXPECT_EQ(out.controlPayloads[0], "pp");
}

}  // namespace
}  // namespace mqgw::ws
