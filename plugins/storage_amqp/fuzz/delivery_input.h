// The byte layout the amqp_record fuzzer reads a delivery from (and make_corpus writes):
//   u8  flags: bit 0 message_id, bit 1 content_type, bit 2 timestamp, bit 3 headers
//   message_id, content_type (when flagged): u8 length, bytes (AMQP short strings)
//   timestamp (when flagged): u64 seconds, big-endian
//   u8  length, bytes: the MQTT topic foreignMessage is asked to use
//   headers (when flagged): the field table as AMQP carries it — u32 big-endian length n, then
//       n bytes of entries — handed to amqp_decode_table as they are
//   the rest: the body
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "amqp_test_host.h"

namespace mqgw::amqp::fuzz {

enum : uint8_t { kMessageId = 1, kContentType = 2, kTimestamp = 4, kHeaders = 8 };

struct DeliveryInput {
  testing::ShortProperties props;
  std::string foreignTopic;
  std::string table;  // with its u32 length; empty: no headers
  std::string body;
};

class InputReader {
 public:
  explicit InputReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint64_t uint(size_t bytes) {
    if (!ok_ || in_.size() < bytes) return ok_ = false, 0;
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = v << 8 | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(bytes);
    return v;
  }
  std::string bytes(size_t n) {
    if (!ok_ || in_.size() < n) return ok_ = false, std::string();
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::string_view rest() const { return in_; }

 private:
  std::string_view in_;
  bool ok_ = true;
};

// False when the input ends before the body.
inline bool parseDeliveryInput(std::string_view in, DeliveryInput* out) {
  InputReader r(in);
  const auto flags = static_cast<uint8_t>(r.uint(1));
  testing::ShortProperties& p = out->props;
  p.hasMessageId = flags & kMessageId;
  p.hasContentType = flags & kContentType;
  p.hasTimestamp = flags & kTimestamp;
  if (p.hasMessageId) p.messageId = r.bytes(r.uint(1));
  if (p.hasContentType) p.contentType = r.bytes(r.uint(1));
  if (p.hasTimestamp) p.timestamp = r.uint(8);
  out->foreignTopic = r.bytes(r.uint(1));
  if (flags & kHeaders) {
    std::string length = r.bytes(4);
    InputReader lengthReader(length);
    out->table = length + r.bytes(lengthReader.uint(4));
  }
  out->body = std::string(r.rest());
  return r.ok();
}

inline void putUint(std::string* out, uint64_t v, size_t bytes) {
  for (size_t i = bytes; i-- > 0;) out->push_back(static_cast<char>(v >> (8 * i) & 0xff));
}

inline void putShort(std::string* out, std::string_view s) {
  putUint(out, s.size() > 255 ? 255 : s.size(), 1);
  out->append(s.substr(0, 255));
}

inline std::string writeDeliveryInput(const DeliveryInput& in) {
  const testing::ShortProperties& p = in.props;
  std::string out;
  putUint(&out,
          (p.hasMessageId ? kMessageId : 0) | (p.hasContentType ? kContentType : 0) |
              (p.hasTimestamp ? kTimestamp : 0) | (in.table.empty() ? 0 : kHeaders),
          1);
  if (p.hasMessageId) putShort(&out, p.messageId);
  if (p.hasContentType) putShort(&out, p.contentType);
  if (p.hasTimestamp) putUint(&out, p.timestamp, 8);
  putShort(&out, in.foreignTopic);
  out += in.table;  // already carries its u32 length
  return out + in.body;
}

}  // namespace mqgw::amqp::fuzz
