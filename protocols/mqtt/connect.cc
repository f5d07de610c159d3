// CONNECT and CONNACK (MQTT 3.1, 3.1.1 section 3.1-3.2, MQTT 5 section 3.1-3.2).
#include "mqtt/codec_io.h"
#include "mqtt/properties.h"

namespace mqgw::mqtt {
namespace {

using detail::malformed;
using detail::protocolError;
using detail::Reader;

namespace flag {
constexpr uint8_t Reserved = 0x01, CleanStart = 0x02, Will = 0x04, WillRetain = 0x20,
                  Password = 0x40, Username = 0x80;
constexpr int WillQosShift = 3;
}  // namespace flag

std::optional<DecodeError> checkConnectFlags(uint8_t flags, Version v) {
  if (flags & flag::Reserved) return malformed("CONNECT reserved flag set");
  const uint8_t willQos = (flags >> flag::WillQosShift) & 3;
  if (willQos == 3) return malformed("will QoS 3");
  if (!(flags & flag::Will) && (willQos != 0 || (flags & flag::WillRetain)))
    return malformed("will QoS/retain without will flag");
  if (v == Version::V311 && (flags & flag::Password) && !(flags & flag::Username))
    return malformed("password without username");
  return std::nullopt;
}

std::optional<DecodeError> readWill(Reader& r, uint8_t flags, Version v, Will& will) {
  will.qos = (flags >> flag::WillQosShift) & 3;
  will.retain = (flags & flag::WillRetain) != 0;
  if (v == Version::V5) {
    if (auto e = detail::readProperties(r, detail::kInWill, will.properties)) return e;
  } else {
    detail::clearProperties(will.properties);
  }
  if (!r.readUtf8(will.topic)) return malformed("bad will topic");
  if (will.topic.empty() || detail::hasWildcard(will.topic))
    return DecodeError{reason::TopicNameInvalid, "invalid will topic"};
  if (!r.readBinary(will.payload)) return malformed("bad will payload");
  return std::nullopt;
}

}  // namespace

std::optional<DecodeError> decodeConnect(const Frame& f, Connect& out) {
  if (f.type != PacketType::Connect) return malformed("not a CONNECT");
  Reader r(f.body);
  uint8_t level = 0, flags = 0;
  if (!r.readUtf8(out.protocolName) || !r.readU8(level)) return malformed("bad protocol name");
  if (!supportedProtocol(out.protocolName, level))
    return DecodeError{reason::UnsupportedProtocolVersion, "unsupported protocol"};
  out.version = Version(level);
  if (!r.readU8(flags) || !r.readU16(out.keepAlive)) return malformed("truncated CONNECT");
  if (auto e = checkConnectFlags(flags, out.version)) return e;
  out.cleanStart = (flags & flag::CleanStart) != 0;
  if (out.version == Version::V5) {
    if (auto e = detail::readProperties(r, detail::kInConnect, out.properties)) return e;
  } else {
    detail::clearProperties(out.properties);
  }
  if (!r.readUtf8(out.clientId)) return malformed("bad client identifier");
  out.will.reset();
  if (flags & flag::Will) {
    if (auto e = readWill(r, flags, out.version, out.will.emplace())) return e;
  }
  out.username.reset();
  out.password.reset();
  if (flags & flag::Username) {
    if (!r.readUtf8(out.username.emplace())) return malformed("bad user name");
  }
  if (flags & flag::Password) {
    if (!r.readBinary(out.password.emplace())) return malformed("bad password");
  }
  if (!r.empty()) return malformed("trailing bytes in CONNECT");
  return std::nullopt;
}

std::optional<DecodeError> decodeConnack(const Frame& f, Version v, Connack& out) {
  if (f.type != PacketType::Connack) return malformed("not a CONNACK");
  Reader r(f.body);
  uint8_t ackFlags = 0;
  if (!r.readU8(ackFlags) || !r.readU8(out.reasonCode)) return malformed("truncated CONNACK");
  if (ackFlags & 0xFE) return malformed("CONNACK reserved flags set");
  out.sessionPresent = (ackFlags & 1) != 0;
  detail::clearProperties(out.properties);
  if (v == Version::V5) {
    if (!detail::validReasonCode(PacketType::Connack, out.reasonCode))
      return malformed("invalid CONNACK reason code");
    // Tolerate peers that omit an empty property block.
    if (!r.empty()) {
      if (auto e = detail::readProperties(r, detail::kInConnack, out.properties)) return e;
    }
  } else if (out.reasonCode > connack_v3::NotAuthorized) {
    return malformed("invalid CONNACK return code");
  }
  if (!r.empty()) return malformed("trailing bytes in CONNACK");
  return std::nullopt;
}

void encodeConnect(const Connect& p, Buffer& out) {
  const size_t body = detail::beginPacket(uint8_t(PacketType::Connect) << 4, out);
  detail::putString(p.version == Version::V31 ? "MQIsdp" : "MQTT", out);
  detail::putU8(uint8_t(p.version), out);
  uint8_t flags = p.cleanStart ? flag::CleanStart : 0;
  if (p.will) {
    flags |= flag::Will | uint8_t(p.will->qos << flag::WillQosShift);
    if (p.will->retain) flags |= flag::WillRetain;
  }
  if (p.username) flags |= flag::Username;
  if (p.password) flags |= flag::Password;
  detail::putU8(flags, out);
  detail::putU16(p.keepAlive, out);
  if (p.version == Version::V5) detail::writeProperties(p.properties, out);
  detail::putString(p.clientId, out);
  if (p.will) {
    if (p.version == Version::V5) detail::writeProperties(p.will->properties, out);
    detail::putString(p.will->topic, out);
    detail::putString(p.will->payload, out);
  }
  if (p.username) detail::putString(*p.username, out);
  if (p.password) detail::putString(*p.password, out);
  detail::finishPacket(body, out);
}

void encodeConnack(const Connack& p, Version v, Buffer& out) {
  const size_t body = detail::beginPacket(uint8_t(PacketType::Connack) << 4, out);
  detail::putU8(p.sessionPresent ? 1 : 0, out);
  detail::putU8(p.reasonCode, out);
  if (v == Version::V5) detail::writeProperties(p.properties, out);
  detail::finishPacket(body, out);
}

}  // namespace mqgw::mqtt
