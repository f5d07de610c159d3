#include "message/message_record.h"

#include <cstring>
#include <vector>

#include "message/message.h"

namespace mqgw::message {
namespace {

constexpr uint8_t kMagic = 'M';
constexpr uint8_t kVersion = 1;
constexpr uint8_t kFlagRetain = 1u << 2, kFlagExpiry = 1u << 3;
constexpr size_t kFixed = 4 + 8 + 16;
constexpr uint32_t kMaxUserProps = 65535;

// Appends to out while there is room; counts every byte either way.
struct Writer {
  uint8_t* out;
  size_t cap;
  size_t n = 0;
  void bytes(const void* p, size_t len) {
    if (n + len <= cap && len) std::memcpy(out + n, p, len);
    n += len;
  }
  void u8(uint8_t v) { bytes(&v, 1); }
  void le(uint64_t v, int width) {
    uint8_t b[8];
    for (int i = 0; i < width; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    bytes(b, width);
  }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      u8(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    u8(static_cast<uint8_t>(v));
  }
  void str(const mqgw_str& s) {
    varint(s.len);
    bytes(s.ptr, s.len);
  }
};

struct Reader {
  const uint8_t* p;
  size_t left;
  bool ok = true;
  const uint8_t* take(size_t len) {
    if (!ok || len > left) return ok = false, nullptr;
    const uint8_t* at = p;
    p += len;
    left -= len;
    return at;
  }
  uint64_t le(int width) {
    const uint8_t* b = take(width);
    uint64_t v = 0;
    for (int i = 0; b && i < width; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
    return v;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t* b = take(1);
      if (!b) return 0;
      v |= static_cast<uint64_t>(*b & 0x7f) << shift;
      if (!(*b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  mqgw_str str() {
    uint64_t len = varint();
    const uint8_t* b = take(static_cast<size_t>(len));
    return {reinterpret_cast<const char*>(b), b ? static_cast<size_t>(len) : 0};
  }
};

}  // namespace

size_t encodeRecord(const mqgw_message_view& v, uint8_t* out, size_t cap) {
  Writer w{out, cap};
  w.u8(kMagic);
  w.u8(kVersion);
  w.u8(static_cast<uint8_t>((v.qos & 3) | (v.retain ? kFlagRetain : 0) |
                            (v.has_expiry ? kFlagExpiry : 0)));
  w.u8(v.payload_format);
  w.le(v.created_ms, 8);
  w.bytes(v.id, 16);
  if (v.has_expiry) w.le(v.expiry_interval_s, 4);
  for (const mqgw_str* s : {&v.topic, &v.payload, &v.content_type, &v.response_topic,
                            &v.correlation_data, &v.publisher_id})
    w.str(*s);
  w.varint(v.user_prop_count);
  for (uint32_t i = 0; i < v.user_prop_count; ++i) {
    w.str(v.user_props[i].key);
    w.str(v.user_props[i].value);
  }
  return w.n;
}

mqgw_message* decodeRecord(const uint8_t* data, size_t len) {
  if (!data || len < kFixed) return nullptr;
  Reader r{data, len};
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  if (r.le(1) != kMagic || r.le(1) != kVersion) return nullptr;
  uint8_t flags = static_cast<uint8_t>(r.le(1));
  if ((flags & 3) == 3 || (flags & ~0x0fu)) return nullptr;
  v.qos = flags & 3;
  v.retain = (flags & kFlagRetain) ? 1 : 0;
  v.has_expiry = (flags & kFlagExpiry) ? 1 : 0;
  v.payload_format = static_cast<uint8_t>(r.le(1));
  v.created_ms = r.le(8);
  if (const uint8_t* id = r.take(16)) std::memcpy(v.id, id, 16);
  if (v.has_expiry) v.expiry_interval_s = static_cast<uint32_t>(r.le(4));
  for (mqgw_str* s : {&v.topic, &v.payload, &v.content_type, &v.response_topic,
                      &v.correlation_data, &v.publisher_id})
    *s = r.str();
  uint64_t count = r.varint();
  // Each property takes at least two bytes, so a count the record cannot hold is rejected
  // before anything is allocated for it.
  if (!r.ok || count > kMaxUserProps || count * 2 > r.left) return nullptr;
  std::vector<mqgw_user_prop> props(static_cast<size_t>(count));
  for (auto& p : props) {
    p.key = r.str();
    p.value = r.str();
  }
  if (!r.ok || r.left != 0 || v.topic.len == 0) return nullptr;
  v.user_props = props.empty() ? nullptr : props.data();
  v.user_prop_count = static_cast<uint32_t>(props.size());
  return restore(v);
}

}  // namespace mqgw::message
