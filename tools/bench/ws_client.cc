#include "ws_client.h"

#include <cstring>
#include <strings.h>

#include "websocket/ws_handshake.h"

namespace mqgw::bench {

namespace {
constexpr size_t kMaxResponseHead = 8192;

ws::FrameDecoder::Policy clientPolicy() {
  ws::FrameDecoder::Policy p;
  p.requireMask = false;       // servers do not mask
  p.maxFrameSize = 64u << 20;  // as large as an MQTT packet the generator accepts
  return p;
}

std::string base64(const uint8_t* p, size_t n) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (i + 1 < n) v |= uint32_t{p[i + 1]} << 8;
    if (i + 2 < n) v |= p[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// The value of header `name` in an HTTP head (case-insensitive name), or empty.
std::string headerValue(const std::string& head, const char* name) {
  const size_t nameLen = std::strlen(name);
  size_t at = head.find("\r\n");
  while (at != std::string::npos && at + 2 < head.size()) {
    size_t lineStart = at + 2;
    size_t lineEnd = head.find("\r\n", lineStart);
    if (lineEnd == std::string::npos) break;
    if (lineEnd - lineStart > nameLen && head[lineStart + nameLen] == ':' &&
        strncasecmp(head.c_str() + lineStart, name, nameLen) == 0) {
      size_t v = head.find_first_not_of(" \t", lineStart + nameLen + 1);
      size_t e = head.find_last_not_of(" \t", lineEnd - 1);
      return v == std::string::npos || v > e ? "" : head.substr(v, e - v + 1);
    }
    at = lineEnd;
  }
  return "";
}
}  // namespace

WsClientLayer::WsClientLayer(std::string host, std::string path, uint64_t seed)
    : host_(std::move(host)), path_(std::move(path)), decoder_(clientPolicy()),
      rng_(seed * 0x9E3779B97F4A7C15ULL + 1) {}

uint32_t WsClientLayer::nextRandom() {
  // xorshift64*: masks need to vary, not to be secret, in a load generator.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return static_cast<uint32_t>((rng_ * 0x2545F4914F6CDD1DULL) >> 32);
}

bool WsClientLayer::start(std::vector<uint8_t>& down) {
  uint8_t nonce[16];
  for (size_t i = 0; i < sizeof nonce; i += 4) {
    uint32_t r = nextRandom();
    std::memcpy(nonce + i, &r, 4);
  }
  key_ = base64(nonce, sizeof nonce);
  std::string req = "GET " + path_ + " HTTP/1.1\r\nHost: " + host_ +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key_ +
                    "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
  down.insert(down.end(), req.begin(), req.end());
  return true;
}

ptrdiff_t WsClientLayer::readResponse(const uint8_t* data, size_t len) {
  size_t before = response_.size();
  response_.append(reinterpret_cast<const char*>(data), len);
  size_t end = response_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (response_.size() > kMaxResponseHead) error = "WebSocket: response head too large";
    return response_.size() > kMaxResponseHead ? -1 : 0;
  }
  response_.resize(end + 2);  // keep the last header's CRLF for headerValue
  if (response_.compare(0, 13, "HTTP/1.1 101 ") != 0) {
    error = "WebSocket: upgrade refused (no 101)";
    return -1;
  }
  if (headerValue(response_, "Sec-WebSocket-Accept") != ws::acceptKey(key_)) {
    error = "WebSocket: wrong Sec-WebSocket-Accept";
    return -1;
  }
  if (headerValue(response_, "Sec-WebSocket-Protocol") != "mqtt") {
    error = "WebSocket: subprotocol mqtt not selected";
    return -1;
  }
  response_.clear();
  response_.shrink_to_fit();
  return static_cast<ptrdiff_t>(end + 4 - before);
}

bool WsClientLayer::fromBelow(const uint8_t* data, size_t len, std::vector<uint8_t>& up,
                              std::vector<uint8_t>& down) {
  if (!open_) {
    ptrdiff_t used = readResponse(data, len);
    if (used <= 0) return used == 0;
    open_ = true;
    data += used;
    len -= static_cast<size_t>(used);
  }
  return readFrames(data, len, up, down);
}

bool WsClientLayer::readFrames(const uint8_t* data, size_t len, std::vector<uint8_t>& up,
                               std::vector<uint8_t>& down) {
  for (;;) {
    ws::DecodeEvent ev = decoder_.next(data, len);
    switch (ev.kind) {
      case ws::DecodeEvent::Kind::NeedMore: return true;
      case ws::DecodeEvent::Kind::Data: {
        size_t at = up.size();
        up.resize(at + ev.len);
        if (ev.masked) ws::unmaskData(ev, up.data() + at);
        else if (ev.len) std::memcpy(up.data() + at, ev.data, ev.len);
        break;
      }
      case ws::DecodeEvent::Kind::Ping: appendFrame(ws::Opcode::Pong, ev.data, ev.len, down); break;
      case ws::DecodeEvent::Kind::Pong: break;
      case ws::DecodeEvent::Kind::Close: error = "WebSocket: closed by broker"; return false;
      case ws::DecodeEvent::Kind::Error: error = ev.why; return false;
    }
  }
}

void WsClientLayer::appendFrame(ws::Opcode op, const uint8_t* data, size_t len,
                                std::vector<uint8_t>& down) {
  uint8_t header[ws::kMaxHeaderSize];
  uint32_t r = nextRandom();
  uint8_t mask[4];
  std::memcpy(mask, &r, 4);
  size_t h = ws::encodeHeader(header, op, true, len, mask);
  size_t at = down.size();
  down.resize(at + h + len);
  std::memcpy(down.data() + at, header, h);
  ws::applyMask(down.data() + at + h, data, len, mask, 0);
}

bool WsClientLayer::fromAbove(const uint8_t* data, size_t len, std::vector<uint8_t>& down) {
  appendFrame(ws::Opcode::Binary, data, len, down);
  return true;
}

}  // namespace mqgw::bench
