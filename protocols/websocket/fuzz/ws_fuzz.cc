// libFuzzer target for the WebSocket codec. Byte 0 picks the mode (bit 0: frames or handshake),
// the decoder policy (bits 1-2) and seeds the chunking; the rest is a client's byte stream fed in
// random-size chunks, as reads would deliver it. Frames: every event must point inside the chunk
// it came from, and the binary payload decoded must decode the same once re-encoded as one frame.
// Handshake: an answer is a well-formed 101 or 4xx, and `consumed` stays inside the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "websocket/ws_frame.h"
#include "websocket/ws_handshake.h"

namespace {

using namespace mqgw::ws;

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "ws_fuzz: %s\n", what);
  std::abort();
}

struct Rng {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

FrameDecoder::Policy policyFrom(uint8_t b) {
  FrameDecoder::Policy p;
  p.maxFrameSize = (b & 2) ? 64 : (1u << 20);
  p.requireMask = !(b & 4);
  return p;
}

// Decodes `in` in random chunks; returns the joined binary payload (unmasked).
std::string decodeChunked(const FrameDecoder::Policy& policy, const uint8_t* in, size_t size,
                          Rng& rng, bool* failed) {
  FrameDecoder d(policy);
  std::string payload;
  *failed = false;
  size_t off = 0;
  while (off < size) {
    size_t n = 1 + rng.next() % 64;
    if (n > size - off) n = size - off;
    const uint8_t* p = in + off;
    size_t left = n;
    while (true) {
      const uint8_t* before = p;
      DecodeEvent ev = d.next(p, left);
      if (p < before || p > in + off + n || p + left != in + off + n) bug("cursor out of chunk");
      if (ev.kind == DecodeEvent::Kind::NeedMore) break;
      if (ev.kind == DecodeEvent::Kind::Error) {
        if (ev.code < 1000 || ev.code > 1011) bug("error code out of range");
        *failed = true;
        return payload;
      }
      if (ev.kind == DecodeEvent::Kind::Data) {
        if (ev.data < in + off || ev.data + ev.len > in + off + n) bug("data outside chunk");
        if (ev.len > policy.maxFrameSize) bug("data longer than a frame may be");
        size_t at = payload.size();
        payload.resize(at + ev.len);
        unmaskData(ev, reinterpret_cast<uint8_t*>(payload.data()) + at);
      } else if (ev.len > kMaxControlPayload) {
        bug("control payload too long");
      } else if (ev.kind == DecodeEvent::Kind::Close && ev.code != close_code::kNoStatus &&
                 !validCloseCode(ev.code)) {
        bug("close code not validated");
      }
    }
    off += n;
  }
  return payload;
}

void fuzzFrames(uint8_t mode, const uint8_t* data, size_t size) {
  Rng rng{0x9E3779B9u ^ mode};
  FrameDecoder::Policy policy = policyFrom(mode);
  bool failed = false;
  std::string payload = decodeChunked(policy, data, size, rng, &failed);
  // Re-encode what was decoded as one masked frame: it must come back unchanged.
  std::string frame(kMaxHeaderSize + payload.size(), '\0');
  const uint8_t key[4] = {mode, 0x5a, 0xa5, 0x3c};
  auto* f = reinterpret_cast<uint8_t*>(frame.data());
  size_t h = encodeHeader(f, Opcode::Binary, true, payload.size(), key);
  applyMask(f + h, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), key, 0);
  frame.resize(h + payload.size());
  FrameDecoder::Policy roomy = policy;
  roomy.maxFrameSize = UINT64_MAX >> 1;
  std::string again = decodeChunked(roomy, f, frame.size(), rng, &failed);
  if (failed || again != payload) bug("re-encoded payload does not decode the same");
}

void fuzzHandshake(uint8_t mode, const uint8_t* data, size_t size) {
  Rng rng{0x85EBCA6Bu ^ mode};
  HandshakeSettings s;
  s.maxRequestBytes = (mode & 2) ? 256 : 8192;
  HandshakeParser p(s);
  size_t off = 0;
  while (off < size) {
    size_t n = 1 + rng.next() % 128;
    if (n > size - off) n = size - off;
    HandshakeOutcome out = p.feed(data + off, n);
    if (out.state == HandshakeOutcome::State::Accepted) {
      if (out.consumed == 0 || out.consumed > n) bug("consumed outside the input");
      if (out.response.rfind("HTTP/1.1 101 ", 0) != 0) bug("accepted without 101");
      if (out.response.find("Sec-WebSocket-Accept: ") == std::string::npos) bug("no accept key");
      return;
    }
    if (out.state == HandshakeOutcome::State::Refused) {
      if (out.status < 400 || out.status > 499) bug("refusal is not 4xx");
      if (out.response.rfind("HTTP/1.1 4", 0) != 0) bug("refusal response malformed");
      return;
    }
    off += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  if (mode & 1)
    fuzzHandshake(mode, data + 1, size - 1);
  else
    fuzzFrames(mode, data + 1, size - 1);
  return 0;
}
