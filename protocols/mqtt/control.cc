// DISCONNECT, AUTH, PINGREQ, PINGRESP (MQTT 3.1.1 sections 3.12-3.14, MQTT 5 3.12-3.15).
#include "mqtt/codec_io.h"
#include "mqtt/properties.h"

namespace mqgw::mqtt {
namespace {

using detail::malformed;

// DISCONNECT and AUTH bodies: empty = Success, one byte = reason only, else reason + properties.
std::optional<DecodeError> readReasonAndProperties(const Frame& f, detail::PropertyPlace place,
    uint8_t& reasonCode, Properties& props) {
  reasonCode = reason::Success;
  detail::clearProperties(props);
  detail::Reader r(f.body);
  if (r.empty()) return std::nullopt;
  r.readU8(reasonCode);
  if (!detail::validReasonCode(f.type, reasonCode)) return malformed("invalid reason code");
  if (r.empty()) return std::nullopt;
  if (auto e = detail::readProperties(r, place, props)) return e;
  if (!r.empty()) return malformed("trailing bytes after properties");
  return std::nullopt;
}

void writeReasonAndProperties(PacketType type, uint8_t reasonCode, const Properties& props,
    Buffer& out) {
  out.push_back(uint8_t(uint8_t(type) << 4));
  const bool withProps = detail::hasProperties(props);
  if (!withProps && reasonCode == reason::Success) {
    out.push_back(0);
    return;
  }
  const size_t body = out.size();
  out.push_back(reasonCode);
  if (withProps) detail::writeProperties(props, out);
  detail::finishPacket(body, out);
}

}  // namespace

std::optional<DecodeError> decodeDisconnect(const Frame& f, Version v, Disconnect& out) {
  if (f.type != PacketType::Disconnect) return malformed("not a DISCONNECT");
  if (v != Version::V5) {
    out.reasonCode = reason::Success;
    detail::clearProperties(out.properties);
    if (!f.body.empty()) return malformed("v3 DISCONNECT with a body");
    return std::nullopt;
  }
  return readReasonAndProperties(f, detail::kInDisconnect, out.reasonCode, out.properties);
}

std::optional<DecodeError> decodeAuth(const Frame& f, Version v, Auth& out) {
  if (f.type != PacketType::Auth) return malformed("not an AUTH");
  if (v != Version::V5) return malformed("AUTH is reserved before MQTT 5");
  return readReasonAndProperties(f, detail::kInAuth, out.reasonCode, out.properties);
}

void encodeDisconnect(const Disconnect& p, Version v, Buffer& out) {
  if (v != Version::V5) {
    out.push_back(uint8_t(uint8_t(PacketType::Disconnect) << 4));
    out.push_back(0);
    return;
  }
  writeReasonAndProperties(PacketType::Disconnect, p.reasonCode, p.properties, out);
}

void encodeAuth(const Auth& p, Buffer& out) {
  writeReasonAndProperties(PacketType::Auth, p.reasonCode, p.properties, out);
}

void encodePingreq(Buffer& out) {
  out.push_back(uint8_t(uint8_t(PacketType::Pingreq) << 4));
  out.push_back(0);
}

void encodePingresp(Buffer& out) {
  out.push_back(uint8_t(uint8_t(PacketType::Pingresp) << 4));
  out.push_back(0);
}

}  // namespace mqgw::mqtt
