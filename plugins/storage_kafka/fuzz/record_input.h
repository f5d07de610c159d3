// The byte layout the kafka_record fuzzer reads a Kafka record from (and make_corpus writes):
//   u8  flags: bit 0 = no headers at all (null pointer), bit 1 = null value, bit 2 = no timestamp
//   i64 timestamp in ms, big-endian (ignored with bit 2)
//   u8  header count, then per header: u16 name length, name, u16 value length, value; a value
//       length of 0xFFFF is a null value (no bytes follow)
//   the rest: the record's value
// Input that ends inside a header keeps the headers read so far and an empty value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqgw::kafka::fuzz {

inline constexpr uint16_t kNullValue = 0xFFFF;

struct RecordHeader {
  std::string name;
  bool nullValue = false;
  std::string value;
};

struct RecordInput {
  bool nullHeaders = false;
  bool nullValue = false;
  int64_t timestampMs = -1;
  std::vector<RecordHeader> headers;
  std::string value;
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

// False when the input is shorter than the fixed part (flags, timestamp, count).
inline bool parseRecordInput(std::string_view in, RecordInput* out) {
  InputReader r(in);
  const auto flags = static_cast<uint8_t>(r.uint(1));
  const auto timestamp = static_cast<int64_t>(r.uint(8));
  const auto count = static_cast<size_t>(r.uint(1));
  if (!r.ok()) return false;
  out->nullHeaders = flags & 1;
  out->nullValue = flags & 2;
  out->timestampMs = flags & 4 ? -1 : timestamp;
  for (size_t i = 0; i < count; ++i) {
    RecordHeader h;
    h.name = r.bytes(r.uint(2));
    const auto len = static_cast<uint16_t>(r.uint(2));
    h.nullValue = len == kNullValue;
    if (!h.nullValue) h.value = r.bytes(len);
    if (!r.ok()) return true;  // truncated: the headers so far, an empty value
    out->headers.push_back(std::move(h));
  }
  out->value.assign(r.rest());
  return true;
}

inline std::string writeRecordInput(const RecordInput& in) {
  std::string out;
  auto put = [&out](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>(v >> (8 * i) & 0xff);
  };
  const bool noTimestamp = in.timestampMs < 0;
  put((in.nullHeaders ? 1 : 0) | (in.nullValue ? 2 : 0) | (noTimestamp ? 4 : 0), 1);
  put(noTimestamp ? 0 : static_cast<uint64_t>(in.timestampMs), 8);
  put(in.headers.size(), 1);
  for (const RecordHeader& h : in.headers) {
    put(h.name.size(), 2);
    out += h.name;
    put(h.nullValue ? kNullValue : h.value.size(), 2);
    if (!h.nullValue) out += h.value;
  }
  return out + in.value;
}

}  // namespace mqgw::kafka::fuzz
