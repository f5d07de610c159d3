// Wire primitives: variable byte integers (MQTT 1.5.5) and MQTT UTF-8 strings (MQTT 1.5.4).
#include "mqtt/codec_io.h"

namespace mqgw::mqtt {

size_t varintSize(uint32_t value) {
  if (value < 128u) return 1;
  if (value < 16384u) return 2;
  if (value < 2097152u) return 3;
  return 4;
}

void appendVarint(uint32_t value, Buffer& out) {
  do {
    uint8_t b = value & 0x7F;
    value >>= 7;
    out.push_back(value ? uint8_t(b | 0x80) : b);
  } while (value);
}

namespace detail {

namespace {
bool isCont(uint8_t b) { return (b & 0xC0) == 0x80; }
}  // namespace

bool validMqttUtf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {  // ASCII fast path; U+0000 is forbidden
      if (c == 0) return false;
      ++i;
      continue;
    }
    const size_t left = n - i;
    if (c < 0xC2) return false;  // stray continuation byte or overlong 2-byte form
    if (c < 0xE0) {
      if (left < 2 || !isCont(p[i + 1])) return false;
      i += 2;
    } else if (c < 0xF0) {
      if (left < 3 || !isCont(p[i + 1]) || !isCont(p[i + 2])) return false;
      if (c == 0xE0 && p[i + 1] < 0xA0) return false;   // overlong
      if (c == 0xED && p[i + 1] >= 0xA0) return false;  // U+D800..U+DFFF surrogates
      i += 3;
    } else if (c < 0xF5) {
      if (left < 4 || !isCont(p[i + 1]) || !isCont(p[i + 2]) || !isCont(p[i + 3])) return false;
      if (c == 0xF0 && p[i + 1] < 0x90) return false;   // overlong
      if (c == 0xF4 && p[i + 1] >= 0x90) return false;  // above U+10FFFF
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace detail
}  // namespace mqgw::mqtt
