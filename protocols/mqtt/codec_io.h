// Internal helpers shared by the packet-family files: a bounds-checked reader over a frame body,
// append-only writers, MQTT UTF-8 / topic checks and error constructors. Not part of the API.
#pragma once

#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include "mqtt/mqtt_codec.h"

namespace mqgw::mqtt::detail {

inline DecodeError malformed(const char* what) { return {reason::MalformedPacket, what}; }
inline DecodeError protocolError(const char* what) { return {reason::ProtocolError, what}; }

enum class VarintResult : uint8_t { Ok, NeedMore, Malformed };

// Decodes a variable byte integer of at most 4 bytes in minimal form [MQTT-1.5.5-1].
inline VarintResult decodeVarint(const uint8_t* p, size_t n, uint32_t& value, size_t& used) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (i >= n) return VarintResult::NeedMore;
    const uint8_t b = p[i];
    v |= uint32_t(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      if (i > 0 && b == 0) return VarintResult::Malformed;  // non-minimal encoding
      value = v;
      used = i + 1;
      return VarintResult::Ok;
    }
  }
  return VarintResult::Malformed;
}

// Well-formed UTF-8 without U+0000 and without surrogates [MQTT-1.5.4-1, -2].
bool validMqttUtf8(const uint8_t* p, size_t n);
inline bool validMqttUtf8(std::string_view s) {
  return validMqttUtf8(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline bool hasWildcard(std::string_view s) {
  return s.find_first_of("+#") != std::string_view::npos;
}

// Reads from a frame body; every read checks the bounds and never moves past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> s) : cur_(s.data()), end_(s.data() + s.size()) {}
  Reader(const uint8_t* begin, const uint8_t* end) : cur_(begin), end_(end) {}

  size_t remaining() const { return size_t(end_ - cur_); }
  bool empty() const { return cur_ == end_; }

  bool readU8(uint8_t& v) {
    if (cur_ == end_) return false;
    v = *cur_++;
    return true;
  }
  bool readU16(uint16_t& v) {
    if (remaining() < 2) return false;
    v = uint16_t(cur_[0] << 8 | cur_[1]);
    cur_ += 2;
    return true;
  }
  bool readU32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = uint32_t(cur_[0]) << 24 | uint32_t(cur_[1]) << 16 | uint32_t(cur_[2]) << 8 | cur_[3];
    cur_ += 4;
    return true;
  }
  bool readVarint(uint32_t& v) {
    size_t used = 0;
    if (decodeVarint(cur_, remaining(), v, used) != VarintResult::Ok) return false;
    cur_ += used;
    return true;
  }
  bool readBytes(size_t n, std::string_view& v) {
    if (remaining() < n) return false;
    v = std::string_view(reinterpret_cast<const char*>(cur_), n);
    cur_ += n;
    return true;
  }
  // Two-byte length prefix + bytes.
  bool readBinary(std::string_view& v) {
    uint16_t len = 0;
    return readU16(len) && readBytes(len, v);
  }
  bool readUtf8(std::string_view& v) { return readBinary(v) && validMqttUtf8(v); }
  // Splits off the next n bytes as their own reader (e.g. a property block).
  bool split(size_t n, Reader& sub) {
    if (remaining() < n) return false;
    sub = Reader(cur_, cur_ + n);
    cur_ += n;
    return true;
  }
  std::string_view rest() {
    std::string_view v(reinterpret_cast<const char*>(cur_), remaining());
    cur_ = end_;
    return v;
  }

 private:
  const uint8_t* cur_;
  const uint8_t* end_;
};

inline void putU8(uint8_t v, Buffer& out) { out.push_back(v); }
inline void putU16(uint16_t v, Buffer& out) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
inline void putU32(uint32_t v, Buffer& out) {
  const uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
  out.insert(out.end(), b, b + 4);
}
inline void putBytes(std::string_view s, Buffer& out) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  out.insert(out.end(), p, p + s.size());
}
// Two-byte length prefix + bytes; callers keep strings under 64 KiB.
inline void putString(std::string_view s, Buffer& out) {
  putU16(uint16_t(s.size()), out);
  putBytes(s, out);
}

// Writes a packet whose body length is only known afterwards: begin() writes the first byte
// and remembers where the body starts, finish() inserts the remaining-length varint.
inline size_t beginPacket(uint8_t firstByte, Buffer& out) {
  out.push_back(firstByte);
  return out.size();
}
inline void finishPacket(size_t bodyStart, Buffer& out) {
  const uint32_t len = uint32_t(out.size() - bodyStart);
  uint8_t tmp[4];
  size_t n = 0;
  uint32_t v = len;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    tmp[n++] = uint8_t(v ? b | 0x80 : b);
  } while (v && n < 4);
  out.insert(out.begin() + ptrdiff_t(bodyStart), tmp, tmp + n);
}

// Valid reason codes per packet type (MQTT 5 section 2.4).
bool validReasonCode(PacketType type, uint8_t code);

}  // namespace mqgw::mqtt::detail
