// Frame encoders and the small checks both directions share (close codes, UTF-8).
#include <algorithm>
#include <cstring>

#include "websocket/ws_frame.h"

namespace mqgw::ws {

size_t encodeHeader(uint8_t* out, Opcode op, bool fin, uint64_t payloadLen,
                    const uint8_t* mask) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0) | static_cast<uint8_t>(op));
  const uint8_t maskBit = mask ? 0x80 : 0;
  size_t n = 2;
  if (payloadLen < 126) {
    out[1] = static_cast<uint8_t>(maskBit | payloadLen);
  } else if (payloadLen <= 0xFFFF) {
    out[1] = maskBit | 126;
    out[2] = static_cast<uint8_t>(payloadLen >> 8);
    out[3] = static_cast<uint8_t>(payloadLen);
    n = 4;
  } else {
    out[1] = maskBit | 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(payloadLen >> (56 - 8 * i));
    n = 10;
  }
  if (mask) {
    std::memcpy(out + n, mask, 4);
    n += 4;
  }
  return n;
}

void applyMask(uint8_t* dst, const uint8_t* src, size_t n, const uint8_t mask[4], size_t phase) {
  for (size_t i = 0; i < n; ++i) dst[i] = src[i] ^ mask[(phase + i) & 3];
}

size_t encodeControl(uint8_t* out, Opcode op, const uint8_t* payload, size_t len) {
  len = std::min(len, kMaxControlPayload);
  size_t h = encodeHeader(out, op, true, len);
  if (len) std::memcpy(out + h, payload, len);
  return h + len;
}

size_t encodeClose(uint8_t* out, uint16_t code, std::string_view reason) {
  if (code == close_code::kNoStatus) return encodeHeader(out, Opcode::Close, true, 0);
  reason = reason.substr(0, kMaxControlPayload - 2);
  uint8_t body[kMaxControlPayload];
  body[0] = static_cast<uint8_t>(code >> 8);
  body[1] = static_cast<uint8_t>(code);
  if (!reason.empty()) std::memcpy(body + 2, reason.data(), reason.size());
  return encodeControl(out, Opcode::Close, body, 2 + reason.size());
}

bool validCloseCode(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010:
    case 1011: case 1012: case 1013: case 1014:
      return true;
    default:
      return false;
  }
}

// UTF-8 as RFC 3629 defines it: no overlongs, no surrogates, nothing above U+10FFFF.
bool validUtf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) extra = 1, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) extra = 2, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) extra = 3, cp = c & 0x07, min = 0x10000;
    else return false;
    if (n - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace mqgw::ws
