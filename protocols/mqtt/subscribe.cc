// SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (MQTT 3.1.1 sections 3.8-3.11, MQTT 5 3.8-3.11).
#include "mqtt/codec_io.h"
#include "mqtt/properties.h"

namespace mqgw::mqtt {
namespace {

using detail::malformed;
using detail::protocolError;
using detail::Reader;

// Packet id (nonzero) and, in v5, the property block that starts every packet in this family.
std::optional<DecodeError> readHeader(Reader& r, Version v, detail::PropertyPlace place,
    uint16_t& packetId, Properties& props) {
  if (!r.readU16(packetId)) return malformed("truncated packet identifier");
  if (packetId == 0) return protocolError("packet identifier 0");
  if (v == Version::V5) return detail::readProperties(r, place, props);
  detail::clearProperties(props);
  return std::nullopt;
}

std::optional<DecodeError> readOptions(uint8_t o, Version v, SubscribeTopic& t) {
  t.qos = o & 3;
  if (t.qos == 3) return malformed("subscription QoS 3");
  if (v != Version::V5) {
    if (o & 0xFC) return malformed("subscription options reserved bits set");
    t.noLocal = t.retainAsPublished = false;
    t.retainHandling = 0;
    return std::nullopt;
  }
  if (o & 0xC0) return malformed("subscription options reserved bits set");
  t.noLocal = (o & 0x04) != 0;
  t.retainAsPublished = (o & 0x08) != 0;
  t.retainHandling = (o >> 4) & 3;
  if (t.retainHandling == 3) return protocolError("retain handling 3");
  return std::nullopt;
}

std::optional<DecodeError> readReasonCodes(Reader& r, Version v, PacketType type,
    std::vector<uint8_t>& codes) {
  codes.clear();
  if (r.empty()) return protocolError("no reason codes");
  while (!r.empty()) {
    uint8_t c = 0;
    r.readU8(c);
    const bool ok = v == Version::V5 ? detail::validReasonCode(type, c) : (c <= 2 || c == 0x80);
    if (!ok) return malformed("invalid reason code");
    codes.push_back(c);
  }
  return std::nullopt;
}

uint8_t optionsByte(const SubscribeTopic& t, Version v) {
  uint8_t o = t.qos & 3;
  if (v == Version::V5) {
    if (t.noLocal) o |= 0x04;
    if (t.retainAsPublished) o |= 0x08;
    o |= uint8_t((t.retainHandling & 3) << 4);
  }
  return o;
}

size_t beginWithId(PacketType type, uint8_t flags, uint16_t packetId, const Properties& props,
    Version v, Buffer& out) {
  const size_t body = detail::beginPacket(uint8_t(uint8_t(type) << 4 | flags), out);
  detail::putU16(packetId, out);
  if (v == Version::V5) detail::writeProperties(props, out);
  return body;
}

}  // namespace

std::optional<DecodeError> decodeSubscribe(const Frame& f, Version v, Subscribe& out) {
  if (f.type != PacketType::Subscribe) return malformed("not a SUBSCRIBE");
  Reader r(f.body);
  if (auto e = readHeader(r, v, detail::kInSubscribe, out.packetId, out.properties)) return e;
  out.topics.clear();
  if (r.empty()) return protocolError("SUBSCRIBE without topic filters");
  while (!r.empty()) {
    SubscribeTopic t;
    uint8_t options = 0;
    if (!r.readUtf8(t.filter) || !r.readU8(options)) return malformed("bad topic filter");
    if (auto e = readOptions(options, v, t)) return e;
    out.topics.push_back(t);
  }
  return std::nullopt;
}

std::optional<DecodeError> decodeSuback(const Frame& f, Version v, Suback& out) {
  if (f.type != PacketType::Suback) return malformed("not a SUBACK");
  Reader r(f.body);
  if (auto e = readHeader(r, v, detail::kInSuback, out.packetId, out.properties)) return e;
  return readReasonCodes(r, v, PacketType::Suback, out.reasonCodes);
}

std::optional<DecodeError> decodeUnsubscribe(const Frame& f, Version v, Unsubscribe& out) {
  if (f.type != PacketType::Unsubscribe) return malformed("not an UNSUBSCRIBE");
  Reader r(f.body);
  if (auto e = readHeader(r, v, detail::kInUnsubscribe, out.packetId, out.properties)) return e;
  out.filters.clear();
  if (r.empty()) return protocolError("UNSUBSCRIBE without topic filters");
  while (!r.empty()) {
    std::string_view filter;
    if (!r.readUtf8(filter)) return malformed("bad topic filter");
    out.filters.push_back(filter);
  }
  return std::nullopt;
}

std::optional<DecodeError> decodeUnsuback(const Frame& f, Version v, Unsuback& out) {
  if (f.type != PacketType::Unsuback) return malformed("not an UNSUBACK");
  Reader r(f.body);
  if (auto e = readHeader(r, v, detail::kInUnsuback, out.packetId, out.properties)) return e;
  if (v != Version::V5) {
    out.reasonCodes.clear();
    if (!r.empty()) return malformed("trailing bytes in UNSUBACK");
    return std::nullopt;
  }
  return readReasonCodes(r, v, PacketType::Unsuback, out.reasonCodes);
}

void encodeSubscribe(const Subscribe& p, Version v, Buffer& out) {
  const size_t body = beginWithId(PacketType::Subscribe, 0x2, p.packetId, p.properties, v, out);
  for (const SubscribeTopic& t : p.topics) {
    detail::putString(t.filter, out);
    out.push_back(optionsByte(t, v));
  }
  detail::finishPacket(body, out);
}

void encodeSuback(const Suback& p, Version v, Buffer& out) {
  const size_t body = beginWithId(PacketType::Suback, 0, p.packetId, p.properties, v, out);
  out.insert(out.end(), p.reasonCodes.begin(), p.reasonCodes.end());
  detail::finishPacket(body, out);
}

void encodeUnsubscribe(const Unsubscribe& p, Version v, Buffer& out) {
  const size_t body =
      beginWithId(PacketType::Unsubscribe, 0x2, p.packetId, p.properties, v, out);
  for (std::string_view filter : p.filters) detail::putString(filter, out);
  detail::finishPacket(body, out);
}

void encodeUnsuback(const Unsuback& p, Version v, Buffer& out) {
  const size_t body = beginWithId(PacketType::Unsuback, 0, p.packetId, p.properties, v, out);
  if (v == Version::V5) out.insert(out.end(), p.reasonCodes.begin(), p.reasonCodes.end());
  detail::finishPacket(body, out);
}

}  // namespace mqgw::mqtt
