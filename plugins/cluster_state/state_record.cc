#include "state_record.h"

namespace mqgw::cluster {
namespace {

enum Kind : uint8_t { kSession = 1, kFloor = 2, kClaim = 3, kRelease = 4 };

constexpr std::string_view kFloorPrefix{"\0floor:", 7};

class Writer {
 public:
  explicit Writer(Kind kind) {
    out_ += static_cast<char>(kStateRecordVersion);
    out_ += static_cast<char>(kind);
  }
  Writer& u8(uint8_t v) { return fixed(v, 1); }
  Writer& u32(uint32_t v) { return fixed(v, 4); }
  Writer& u64(uint64_t v) { return fixed(v, 8); }
  Writer& str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
    return *this;
  }
  Writer& positions(const std::vector<NamedPosition>& p) {
    u32(static_cast<uint32_t>(p.size()));
    for (const NamedPosition& np : p)
      str(np.topic).u32(static_cast<uint32_t>(np.partition)).u64(static_cast<uint64_t>(np.offset));
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  Writer& fixed(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out_ += static_cast<char>((v >> (8 * i)) & 0xff);
    return *this;
  }
  std::string out_;
};

// Every read checks the bytes left; after a failed read ok() stays false and reads return 0/"".
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  // The version and kind bytes; false when either is not the one expected.
  bool header(Kind kind) {
    return u8() == kStateRecordVersion && ok_ && u8() == kind && ok_;
  }
  // Only the version; the kind is returned (0 when the header is bad).
  uint8_t anyKind() {
    if (u8() != kStateRecordVersion || !ok_) return 0;
    return u8();
  }
  uint8_t u8() { return static_cast<uint8_t>(fixed(1)); }
  uint32_t u32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t u64() { return fixed(8); }
  std::string str() {
    uint32_t n = u32();
    if (!ok_ || n > in_.size()) return fail(), std::string();
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::vector<NamedPosition> positions() {
    std::vector<NamedPosition> out;
    uint32_t n = u32();
    // Each position takes at least 16 bytes: a count beyond what is left is a lie.
    if (!ok_ || n > in_.size() / 16) return fail(), out;
    out.reserve(n);
    for (uint32_t i = 0; i < n && ok_; ++i) {
      NamedPosition p;
      p.topic = str();
      p.partition = static_cast<int32_t>(u32());
      p.offset = static_cast<int64_t>(u64());
      out.push_back(std::move(p));
    }
    return out;
  }
  bool ok() const { return ok_; }

 private:
  uint64_t fixed(size_t bytes) {
    if (!ok_ || in_.size() < bytes) return fail(), 0;
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(bytes);
    return v;
  }
  void fail() { ok_ = false; }

  std::string_view in_;
  bool ok_ = true;
};

bool readClaim(Reader& r, ClaimRecord* c) {
  c->claimId = r.u64();
  c->node = r.str();
  c->clientId = r.str();
  c->takeState = r.u8() != 0;
  c->timeMs = r.u64();
  c->expectedOwner = r.str();
  return r.ok();
}

bool readRelease(Reader& r, ReleaseRecord* c) {
  c->claimId = r.u64();
  c->from = r.str();
  c->to = r.str();
  c->clientId = r.str();
  c->state = r.str();
  c->cursor = r.positions();
  return r.ok();
}

}  // namespace

std::string floorKey(std::string_view node) {
  std::string key(kFloorPrefix);
  return key.append(node);
}

bool isFloorKey(std::string_view key, std::string* node) {
  if (key.substr(0, kFloorPrefix.size()) != kFloorPrefix) return false;
  node->assign(key.substr(kFloorPrefix.size()));
  return true;
}

std::string encode(const SessionRecord& r) {
  return Writer(kSession).str(r.owner).str(r.state).positions(r.cursor).u64(r.updatedMs).take();
}

std::string encode(const FloorRecord& r) {
  return Writer(kFloor).str(r.node).positions(r.floor).u64(r.updatedMs).take();
}

std::string encode(const ClaimRecord& r) {
  return Writer(kClaim)
      .u64(r.claimId)
      .str(r.node)
      .str(r.clientId)
      .u8(r.takeState ? 1 : 0)
      .u64(r.timeMs)
      .str(r.expectedOwner)
      .take();
}

std::string encode(const ReleaseRecord& r) {
  return Writer(kRelease)
      .u64(r.claimId)
      .str(r.from)
      .str(r.to)
      .str(r.clientId)
      .str(r.state)
      .positions(r.cursor)
      .take();
}

bool decode(std::string_view bytes, SessionRecord* out) {
  Reader r(bytes);
  if (!r.header(kSession)) return false;
  out->owner = r.str();
  out->state = r.str();
  out->cursor = r.positions();
  out->updatedMs = r.u64();
  return r.ok();
}

bool decode(std::string_view bytes, FloorRecord* out) {
  Reader r(bytes);
  if (!r.header(kFloor)) return false;
  out->node = r.str();
  out->floor = r.positions();
  out->updatedMs = r.u64();
  return r.ok();
}

bool decode(std::string_view bytes, ControlRecord* out) {
  Reader r(bytes);
  switch (r.anyKind()) {
    case kClaim: {
      ClaimRecord c;
      if (!readClaim(r, &c)) return false;
      *out = std::move(c);
      return true;
    }
    case kRelease: {
      ReleaseRecord c;
      if (!readRelease(r, &c)) return false;
      *out = std::move(c);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace mqgw::cluster
