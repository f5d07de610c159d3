#include "router/session_record.h"

namespace mqgw::router {
namespace {

constexpr uint8_t kVersion = 1;

void putVarint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}
void putLe(std::vector<uint8_t>& out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

struct Reader {
  const uint8_t* p;
  size_t left;
  bool ok = true;
  bool take(size_t n) {
    if (!ok || n > left) return ok = false;
    return true;
  }
  uint64_t le(int width) {
    if (!take(width)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < width; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    p += width;
    left -= width;
    return v;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint64_t b = le(1);
      if (!ok) return 0;
      v |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
};

}  // namespace

std::vector<uint8_t> encodeSessionRecord(const SessionRecord& r) {
  std::vector<uint8_t> out;
  out.push_back(kVersion);
  putLe(out, r.expiryIntervalS, 4);
  putLe(out, r.detachedAtMs, 8);
  putVarint(out, r.subscriptions.size());
  for (const Subscription& s : r.subscriptions) {
    putVarint(out, s.filter.size());
    out.insert(out.end(), s.filter.begin(), s.filter.end());
    out.push_back(s.options.qos);
    out.push_back(static_cast<uint8_t>((s.options.no_local ? 1 : 0) |
                                       (s.options.retain_as_published ? 2 : 0)));
    out.push_back(s.options.retain_handling);
    putVarint(out, s.options.subscription_id);
  }
  return out;
}

std::optional<SessionRecord> decodeSessionRecord(const uint8_t* data, size_t len) {
  Reader r{data, len};
  if (!data || r.le(1) != kVersion) return std::nullopt;
  SessionRecord out;
  out.expiryIntervalS = static_cast<uint32_t>(r.le(4));
  out.detachedAtMs = r.le(8);
  uint64_t count = r.varint();
  if (!r.ok || count > r.left / 5) return std::nullopt;  // each takes at least 5 bytes
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t flen = r.varint();
    if (!r.take(static_cast<size_t>(flen))) return std::nullopt;
    Subscription s{std::string(reinterpret_cast<const char*>(r.p), static_cast<size_t>(flen)), {}};
    r.p += flen;
    r.left -= flen;
    s.options.struct_size = sizeof s.options;
    s.options.qos = static_cast<uint8_t>(r.le(1));
    uint8_t flags = static_cast<uint8_t>(r.le(1));
    s.options.no_local = flags & 1;
    s.options.retain_as_published = (flags >> 1) & 1;
    s.options.retain_handling = static_cast<uint8_t>(r.le(1));
    s.options.subscription_id = static_cast<uint32_t>(r.varint());
    if (!r.ok || s.options.qos > 2 || s.filter.empty()) return std::nullopt;
    out.subscriptions.push_back(std::move(s));
  }
  if (!r.ok || r.left != 0) return std::nullopt;
  return out;
}

}  // namespace mqgw::router
