// MQTT 5 properties (section 2.2.2): one table says each property's wire type and where it may
// appear; decoding rejects unknown ids (malformed), misplaced or repeated ones (protocol error).
#include "mqtt/properties.h"

#include <array>

namespace mqgw::mqtt::detail {
namespace {

enum class Kind : uint8_t { Unknown, Byte, U16, U32, Varint, Utf8, Binary, Pair };

struct Info {
  Kind kind = Kind::Unknown;
  uint16_t places = 0;
};

constexpr uint16_t kWillOrPublish = kInPublish | kInWill;
constexpr uint16_t kEverywhere = kInConnect | kInConnack | kInPublish | kInWill | kInAck |
    kInSubscribe | kInSuback | kInUnsubscribe | kInUnsuback | kInDisconnect | kInAuth;
constexpr uint16_t kReasonStringPlaces = kInConnack | kInAck | kInSuback | kInUnsuback |
    kInDisconnect | kInAuth;

constexpr std::array<Info, 0x2B> makeTable() {
  std::array<Info, 0x2B> t{};
  t[0x01] = {Kind::Byte, kWillOrPublish};
  t[0x02] = {Kind::U32, kWillOrPublish};
  t[0x03] = {Kind::Utf8, kWillOrPublish};
  t[0x08] = {Kind::Utf8, kWillOrPublish};
  t[0x09] = {Kind::Binary, kWillOrPublish};
  t[0x0B] = {Kind::Varint, kInPublish | kInSubscribe};
  t[0x11] = {Kind::U32, kInConnect | kInConnack | kInDisconnect};
  t[0x12] = {Kind::Utf8, kInConnack};
  t[0x13] = {Kind::U16, kInConnack};
  t[0x15] = {Kind::Utf8, kInConnect | kInConnack | kInAuth};
  t[0x16] = {Kind::Binary, kInConnect | kInConnack | kInAuth};
  t[0x17] = {Kind::Byte, kInConnect};
  t[0x18] = {Kind::U32, kInWill};
  t[0x19] = {Kind::Byte, kInConnect};
  t[0x1A] = {Kind::Utf8, kInConnack};
  t[0x1C] = {Kind::Utf8, kInConnack | kInDisconnect};
  t[0x1F] = {Kind::Utf8, kReasonStringPlaces};
  t[0x21] = {Kind::U16, kInConnect | kInConnack};
  t[0x22] = {Kind::U16, kInConnect | kInConnack};
  t[0x23] = {Kind::U16, kInPublish};
  t[0x24] = {Kind::Byte, kInConnack};
  t[0x25] = {Kind::Byte, kInConnack};
  t[0x26] = {Kind::Pair, kEverywhere};
  t[0x27] = {Kind::U32, kInConnect | kInConnack};
  t[0x28] = {Kind::Byte, kInConnack};
  t[0x29] = {Kind::Byte, kInConnack};
  t[0x2A] = {Kind::Byte, kInConnack};
  return t;
}
constexpr std::array<Info, 0x2B> kTable = makeTable();

struct Value {
  uint32_t num = 0;
  std::string_view a, b;
};

bool readValue(Reader& r, Kind kind, Value& v) {
  switch (kind) {
    case Kind::Byte: {
      uint8_t x = 0;
      if (!r.readU8(x)) return false;
      v.num = x;
      return true;
    }
    case Kind::U16: {
      uint16_t x = 0;
      if (!r.readU16(x)) return false;
      v.num = x;
      return true;
    }
    case Kind::U32: return r.readU32(v.num);
    case Kind::Varint: return r.readVarint(v.num);
    case Kind::Utf8: return r.readUtf8(v.a);
    case Kind::Binary: return r.readBinary(v.a);
    case Kind::Pair: return r.readUtf8(v.a) && r.readUtf8(v.b);
    case Kind::Unknown: break;
  }
  return false;
}

// Stores one decoded value; returns false when the value is out of its allowed range.
bool store(uint8_t id, const Value& v, Properties& p) {
  const auto flag = [&](std::optional<uint8_t>& f) {
    f = uint8_t(v.num);
    return v.num <= 1;
  };
  switch (id) {
    case 0x01: return flag(p.payloadFormatIndicator);
    case 0x02: p.messageExpiryInterval = v.num; return true;
    case 0x03: p.contentType = v.a; return true;
    case 0x08: p.responseTopic = v.a; return !v.a.empty() && !hasWildcard(v.a);
    case 0x09: p.correlationData = v.a; return true;
    case 0x0B: p.subscriptionIdentifiers.push_back(v.num); return v.num != 0;
    case 0x11: p.sessionExpiryInterval = v.num; return true;
    case 0x12: p.assignedClientIdentifier = v.a; return true;
    case 0x13: p.serverKeepAlive = uint16_t(v.num); return true;
    case 0x15: p.authenticationMethod = v.a; return true;
    case 0x16: p.authenticationData = v.a; return true;
    case 0x17: return flag(p.requestProblemInformation);
    case 0x18: p.willDelayInterval = v.num; return true;
    case 0x19: return flag(p.requestResponseInformation);
    case 0x1A: p.responseInformation = v.a; return true;
    case 0x1C: p.serverReference = v.a; return true;
    case 0x1F: p.reasonString = v.a; return true;
    case 0x21: p.receiveMaximum = uint16_t(v.num); return v.num != 0;
    case 0x22: p.topicAliasMaximum = uint16_t(v.num); return true;
    case 0x23: p.topicAlias = uint16_t(v.num); return v.num != 0;
    case 0x24: return flag(p.maximumQos);
    case 0x25: return flag(p.retainAvailable);
    case 0x26: p.userProperties.push_back({v.a, v.b}); return true;
    case 0x27: p.maximumPacketSize = v.num; return v.num != 0;
    case 0x28: return flag(p.wildcardSubscriptionAvailable);
    case 0x29: return flag(p.subscriptionIdentifierAvailable);
    case 0x2A: return flag(p.sharedSubscriptionAvailable);
    default: return false;
  }
}

bool repeatable(uint8_t id, PropertyPlace place) {
  return id == 0x26 || (id == 0x0B && place == kInPublish);
}

}  // namespace

void clearProperties(Properties& p) {
  auto subIds = std::move(p.subscriptionIdentifiers);
  auto users = std::move(p.userProperties);
  subIds.clear();
  users.clear();
  p = Properties{};
  p.subscriptionIdentifiers = std::move(subIds);
  p.userProperties = std::move(users);
}

std::optional<DecodeError> readProperties(Reader& r, PropertyPlace place, Properties& out) {
  clearProperties(out);
  uint32_t len = 0;
  Reader block(nullptr, nullptr);
  if (!r.readVarint(len) || !r.split(len, block)) return malformed("bad property length");
  uint64_t seen = 0;
  while (!block.empty()) {
    uint8_t id = 0;
    block.readU8(id);
    if (id >= kTable.size() || kTable[id].kind == Kind::Unknown)
      return malformed("unknown property");
    const Info& info = kTable[id];
    if ((info.places & place) == 0) return protocolError("property not allowed in packet");
    const uint64_t bit = uint64_t(1) << id;
    if ((seen & bit) && !repeatable(id, place)) return protocolError("duplicate property");
    seen |= bit;
    Value v;
    if (!readValue(block, info.kind, v)) return malformed("truncated or invalid property");
    if (!store(id, v, out)) return protocolError("invalid property value");
  }
  if (out.authenticationData && !out.authenticationMethod)
    return protocolError("authentication data without method");
  return std::nullopt;
}

// ---- encoding: one visitor walks the present properties in id order for both size and write.
namespace {

struct SizeSink {
  size_t n = 0;
  void byte(uint8_t, uint8_t) { n += 2; }
  void u16(uint8_t, uint16_t) { n += 3; }
  void u32(uint8_t, uint32_t) { n += 5; }
  void varint(uint8_t, uint32_t v) { n += 1 + varintSize(v); }
  void str(uint8_t, std::string_view s) { n += 3 + s.size(); }
  void pair(uint8_t, std::string_view a, std::string_view b) { n += 5 + a.size() + b.size(); }
};

struct WriteSink {
  Buffer& out;
  void byte(uint8_t id, uint8_t v) { out.push_back(id), out.push_back(v); }
  void u16(uint8_t id, uint16_t v) { out.push_back(id), putU16(v, out); }
  void u32(uint8_t id, uint32_t v) { out.push_back(id), putU32(v, out); }
  void varint(uint8_t id, uint32_t v) { out.push_back(id), appendVarint(v, out); }
  void str(uint8_t id, std::string_view s) { out.push_back(id), putString(s, out); }
  void pair(uint8_t id, std::string_view a, std::string_view b) {
    out.push_back(id), putString(a, out), putString(b, out);
  }
};

template <typename Sink>
void visit(const Properties& p, Sink& s) {
  if (p.payloadFormatIndicator) s.byte(0x01, *p.payloadFormatIndicator);
  if (p.messageExpiryInterval) s.u32(0x02, *p.messageExpiryInterval);
  if (p.contentType) s.str(0x03, *p.contentType);
  if (p.responseTopic) s.str(0x08, *p.responseTopic);
  if (p.correlationData) s.str(0x09, *p.correlationData);
  for (uint32_t id : p.subscriptionIdentifiers) s.varint(0x0B, id);
  if (p.sessionExpiryInterval) s.u32(0x11, *p.sessionExpiryInterval);
  if (p.assignedClientIdentifier) s.str(0x12, *p.assignedClientIdentifier);
  if (p.serverKeepAlive) s.u16(0x13, *p.serverKeepAlive);
  if (p.authenticationMethod) s.str(0x15, *p.authenticationMethod);
  if (p.authenticationData) s.str(0x16, *p.authenticationData);
  if (p.requestProblemInformation) s.byte(0x17, *p.requestProblemInformation);
  if (p.willDelayInterval) s.u32(0x18, *p.willDelayInterval);
  if (p.requestResponseInformation) s.byte(0x19, *p.requestResponseInformation);
  if (p.responseInformation) s.str(0x1A, *p.responseInformation);
  if (p.serverReference) s.str(0x1C, *p.serverReference);
  if (p.reasonString) s.str(0x1F, *p.reasonString);
  if (p.receiveMaximum) s.u16(0x21, *p.receiveMaximum);
  if (p.topicAliasMaximum) s.u16(0x22, *p.topicAliasMaximum);
  if (p.topicAlias) s.u16(0x23, *p.topicAlias);
  if (p.maximumQos) s.byte(0x24, *p.maximumQos);
  if (p.retainAvailable) s.byte(0x25, *p.retainAvailable);
  for (const UserProperty& u : p.userProperties) s.pair(0x26, u.key, u.value);
  if (p.maximumPacketSize) s.u32(0x27, *p.maximumPacketSize);
  if (p.wildcardSubscriptionAvailable) s.byte(0x28, *p.wildcardSubscriptionAvailable);
  if (p.subscriptionIdentifierAvailable) s.byte(0x29, *p.subscriptionIdentifierAvailable);
  if (p.sharedSubscriptionAvailable) s.byte(0x2A, *p.sharedSubscriptionAvailable);
}

}  // namespace

size_t propertiesSize(const Properties& p) {
  SizeSink s;
  visit(p, s);
  return s.n;
}

size_t propertyBlockSize(const Properties& p) {
  const size_t n = propertiesSize(p);
  return varintSize(uint32_t(n)) + n;
}

void writeProperties(const Properties& p, Buffer& out) {
  appendVarint(uint32_t(propertiesSize(p)), out);
  WriteSink s{out};
  visit(p, s);
}

}  // namespace mqgw::mqtt::detail
