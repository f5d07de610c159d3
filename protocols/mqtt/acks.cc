// PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 3.1.1 sections 3.4-3.7, MQTT 5 sections 3.4-3.7).
// In v5 the reason code and the properties may be left off when they are Success / empty.
#include "mqtt/codec_io.h"
#include "mqtt/properties.h"

namespace mqgw::mqtt {
namespace {

using detail::malformed;

bool isAck(PacketType t) {
  return t == PacketType::Puback || t == PacketType::Pubrec || t == PacketType::Pubrel ||
      t == PacketType::Pubcomp;
}

}  // namespace

std::optional<DecodeError> decodeAck(const Frame& f, Version v, Ack& out) {
  if (!isAck(f.type)) return malformed("not a PUBACK/PUBREC/PUBREL/PUBCOMP");
  out.type = f.type;
  out.reasonCode = reason::Success;
  detail::clearProperties(out.properties);
  detail::Reader r(f.body);
  if (!r.readU16(out.packetId)) return malformed("truncated packet identifier");
  if (out.packetId == 0) return detail::protocolError("packet identifier 0");
  if (v == Version::V5 && !r.empty()) {
    r.readU8(out.reasonCode);
    if (!detail::validReasonCode(f.type, out.reasonCode))
      return malformed("invalid acknowledgement reason code");
    if (!r.empty()) {
      if (auto e = detail::readProperties(r, detail::kInAck, out.properties)) return e;
    }
  }
  if (!r.empty()) return malformed("trailing bytes in acknowledgement");
  return std::nullopt;
}

void encodeAck(const Ack& p, Version v, Buffer& out) {
  const uint8_t flags = p.type == PacketType::Pubrel ? 0x2 : 0x0;
  out.push_back(uint8_t(uint8_t(p.type) << 4 | flags));
  const bool withProps = v == Version::V5 && detail::hasProperties(p.properties);
  const bool withReason = v == Version::V5 && (withProps || p.reasonCode != reason::Success);
  if (!withReason) {
    out.push_back(2);
    detail::putU16(p.packetId, out);
    return;
  }
  const size_t body = out.size();
  detail::putU16(p.packetId, out);
  out.push_back(p.reasonCode);
  if (withProps) detail::writeProperties(p.properties, out);
  detail::finishPacket(body, out);
}

}  // namespace mqgw::mqtt
