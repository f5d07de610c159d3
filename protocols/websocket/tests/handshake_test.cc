#include <gtest/gtest.h>

#include <string>

#include "websocket/ws_handshake.h"

namespace mqgw::ws {
namespace {

using State = HandshakeOutcome::State;

std::string request(const std::string& extra = "Sec-WebSocket-Protocol: mqtt\r\n",
                    const std::string& target = "/mqtt", const std::string& version = "13") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\n"
         "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: " + version + "\r\n" + extra + "\r\n";
}

HandshakeOutcome run(const HandshakeSettings& s, const std::string& in, size_t chunk = SIZE_MAX) {
  HandshakeParser p(s);
  HandshakeOutcome out;
  for (size_t off = 0; off < in.size();) {
    size_t n = std::min(chunk, in.size() - off);
    out = p.feed(reinterpret_cast<const uint8_t*>(in.data()) + off, n);
    if (out.state != State::NeedMore) {
      out.consumed += off;  // relative to the whole input, for the tests
      return out;
    }
    off += n;
  }
  return out;
}

TEST(Handshake, AcceptKeyOfRfc6455Example) {
  EXPECT_EQ(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, AcceptsAndNegotiatesMqtt) {
  HandshakeSettings s;
  for (size_t chunk : {size_t(1), size_t(13), SIZE_MAX}) {
    auto out = run(s, request(), chunk);
    ASSERT_EQ(out.state, State::Accepted) << out.reason;
    EXPECT_EQ(out.status, 101);
    EXPECT_EQ(out.protocol, "mqtt");
    EXPECT_EQ(out.response,
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Protocol: mqtt\r\n\r\n");
    EXPECT_EQ(out.consumed, request().size());
  }
}

TEST(Handshake, BytesAfterTheRequestAreLeftForFrames) {
  HandshakeSettings s;
  std::string in = request() + "\x82\x80\x01\x02\x03\x04";
  auto out = run(s, in);
  ASSERT_EQ(out.state, State::Accepted);
  EXPECT_EQ(out.consumed, request().size());
}

TEST(Handshake, PicksTheFirstOfferedProtocolWeSpeak) {
  HandshakeSettings s;
  auto out = run(s, request("Sec-WebSocket-Protocol: wamp, mqttv3.1\r\nSec-WebSocket-Protocol: mqtt\r\n"));
  ASSERT_EQ(out.state, State::Accepted);
  EXPECT_EQ(out.protocol, "mqttv3.1");
}

TEST(Handshake, NoOfferedProtocolIsAcceptedWithoutTheHeader) {
  HandshakeSettings s;
  auto out = run(s, request(""));
  ASSERT_EQ(out.state, State::Accepted);
  EXPECT_EQ(out.protocol, "");
  EXPECT_EQ(out.response.find("Sec-WebSocket-Protocol"), std::string::npos);
}

TEST(Handshake, QueryStringIsIgnoredAndPathIsConfigurable) {
  HandshakeSettings s;
  s.path = "/ws";
  EXPECT_EQ(run(s, request("", "/ws?token=1")).state, State::Accepted);
  auto out = run(s, request("", "/mqtt"));
  EXPECT_EQ(out.status, 404);
}

TEST(Handshake, RefusalsSayWhy) {
  HandshakeSettings s;
  struct Case {
    std::string in;
    int status;
    const char* needle;
  } cases[] = {
      {"GET /mqtt HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
       400, "Upgrade: websocket"},
      {"GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
       400, "Connection: Upgrade"},
      {request("", "/mqtt", "8"), 426, "Sec-WebSocket-Version"},
      {request("", "/other"), 404, "no WebSocket endpoint"},
      {request("Sec-WebSocket-Protocol: wamp\r\n"), 400, "this server speaks mqtt, mqttv3.1"},
      {"POST /mqtt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, "GET"},
      {"GET /mqtt HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 400,
       "HTTP/1.1"},
      {"GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: c2hvcnQ=\r\n\r\n",
       400, "Sec-WebSocket-Key"},
      {"GET /mqtt HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
       400, "Host"},
      {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "malformed HTTP request"},
  };
  for (const auto& c : cases) {
    auto out = run(s, c.in);
    EXPECT_EQ(out.state, State::Refused) << c.in;
    EXPECT_EQ(out.status, c.status) << c.in;
    EXPECT_NE(out.reason.find(c.needle), std::string::npos) << out.reason;
    EXPECT_EQ(out.response.rfind("HTTP/1.1 " + std::to_string(c.status), 0), 0u) << out.response;
    EXPECT_NE(out.response.find(out.reason), std::string::npos);
  }
}

TEST(Handshake, UpgradeRequiredNamesVersion13) {
  HandshakeSettings s;
  auto out = run(s, request("", "/mqtt", "8"));
  EXPECT_NE(out.response.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
}

TEST(Handshake, OversizeHeadersGet431) {
  HandshakeSettings s;
  s.maxRequestBytes = 512;
  std::string big = request("X-Filler: " + std::string(600, 'f') + "\r\n");
  for (size_t chunk : {size_t(100), SIZE_MAX}) {
    auto out = run(s, big, chunk);
    EXPECT_EQ(out.state, State::Refused);
    EXPECT_EQ(out.status, 431);
  }
  // Endless headers without an end are refused as soon as the bound is crossed.
  HandshakeParser p(s);
  std::string line = "X-A: " + std::string(100, 'a') + "\r\n";
  std::string start = "GET /mqtt HTTP/1.1\r\n";
  auto out = p.feed(reinterpret_cast<const uint8_t*>(start.data()), start.size());
  for (int i = 0; i < 10 && out.state == State::NeedMore; ++i)
    out = p.feed(reinterpret_cast<const uint8_t*>(line.data()), line.size());
  EXPECT_EQ(out.status, 431);
}

TEST(Handshake, SplitTokens) {
  auto t = splitTokens(" a ,b,,\tc ");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], "a");
  EXPECT_EQ(t[1], "b");
  EXPECT_EQ(t[2], "c");
}

}  // namespace
}  // namespace mqgw::ws
