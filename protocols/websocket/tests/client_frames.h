// Test helpers: frames as a client sends them (masked) and a decoder run to completion.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "websocket/ws_frame.h"

namespace mqgw::ws::testing {

using Bytes = std::vector<uint8_t>;

inline Bytes clientFrame(Opcode op, const std::string& payload, bool fin = true,
                         bool masked = true, uint8_t extraBits = 0) {
  const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  uint8_t h[kMaxHeaderSize];
  size_t n = encodeHeader(h, op, fin, payload.size(), masked ? key : nullptr);
  h[0] |= extraBits;
  Bytes out(h, h + n);
  size_t at = out.size();
  out.resize(at + payload.size());
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  if (masked)
    applyMask(out.data() + at, p, payload.size(), key, 0);
  else
    std::copy(p, p + payload.size(), out.begin() + long(at));
  return out;
}

inline Bytes join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Everything a decoder made of some input, fed in chunks of `chunk` bytes.
struct Decoded {
  std::string data;                         // all Data payloads, unmasked, joined
  std::vector<DecodeEvent::Kind> control;   // Ping, Pong, Close, Error in order
  std::vector<std::string> controlPayloads; // their payloads (Close: the reason)
  uint16_t closeCode = 0;
  uint16_t errorCode = 0;
};

inline Decoded decodeAll(FrameDecoder& d, const Bytes& in, size_t chunk = SIZE_MAX) {
  Decoded out;
  size_t off = 0;
  while (off < in.size()) {
    size_t n = std::min(chunk, in.size() - off);
    const uint8_t* p = in.data() + off;
    size_t left = n;
    while (true) {
      DecodeEvent ev = d.next(p, left);
      if (ev.kind == DecodeEvent::Kind::NeedMore) break;
      if (ev.kind == DecodeEvent::Kind::Data) {
        std::string s(ev.len, '\0');
        unmaskData(ev, reinterpret_cast<uint8_t*>(s.data()));
        out.data += s;
        continue;
      }
      out.control.push_back(ev.kind);
      out.controlPayloads.emplace_back(reinterpret_cast<const char*>(ev.data), ev.len);
      if (ev.kind == DecodeEvent::Kind::Close) out.closeCode = ev.code;
      if (ev.kind == DecodeEvent::Kind::Error) {
        out.errorCode = ev.code;
        return out;
      }
    }
    off += n;
  }
  return out;
}

}  // namespace mqgw::ws::testing
