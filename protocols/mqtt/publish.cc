// PUBLISH (MQTT 3.1.1 section 3.3, MQTT 5 section 3.3). This is the hot path: decoding only
// points views into the frame, and encoding sizes the packet first and grows the buffer once.
#include <algorithm>

#include "mqtt/codec_io.h"
#include "mqtt/properties.h"

namespace mqgw::mqtt {
namespace {

using detail::malformed;
using detail::protocolError;

struct PublishLayout {
  size_t propertiesLen = 0;  // property list bytes (v5 only)
  size_t remaining = 0;      // the remaining-length value
  size_t total = 0;          // whole packet
};

PublishLayout layout(const Publish& p, Version v) {
  PublishLayout l;
  l.remaining = 2 + p.topic.size() + (p.qos > 0 ? 2 : 0) + p.payload.size();
  if (v == Version::V5) {
    l.propertiesLen = detail::propertiesSize(p.properties);
    l.remaining += varintSize(uint32_t(l.propertiesLen)) + l.propertiesLen;
  }
  l.total = 1 + varintSize(uint32_t(l.remaining)) + l.remaining;
  return l;
}

// Grows geometrically so appending many packets into one buffer stays linear.
void reserveExtra(Buffer& out, size_t extra) {
  if (out.capacity() - out.size() >= extra) return;
  out.reserve(std::max(out.size() + extra, out.capacity() * 2));
}

}  // namespace

std::optional<DecodeError> decodePublish(const Frame& f, Version v, Publish& out) {
  if (f.type != PacketType::Publish) return malformed("not a PUBLISH");
  out.qos = (f.flags >> 1) & 3;
  out.dup = (f.flags & 0x8) != 0;
  out.retain = (f.flags & 0x1) != 0;
  if (out.qos == 3) return malformed("PUBLISH QoS 3");
  if (out.qos == 0 && out.dup) return malformed("DUP set on a QoS 0 PUBLISH");

  detail::Reader r(f.body);
  if (!r.readUtf8(out.topic)) return malformed("bad topic name");
  if (detail::hasWildcard(out.topic))
    return DecodeError{reason::TopicNameInvalid, "wildcard in topic name"};
  out.packetId = 0;
  if (out.qos > 0) {
    if (!r.readU16(out.packetId)) return malformed("truncated packet identifier");
    if (out.packetId == 0) return protocolError("packet identifier 0");
  }
  if (v == Version::V5) {
    if (auto e = detail::readProperties(r, detail::kInPublish, out.properties)) return e;
  } else {
    detail::clearProperties(out.properties);
  }
  if (out.topic.empty() && !out.properties.topicAlias)
    return protocolError("empty topic name without topic alias");
  out.payload = r.rest();
  return std::nullopt;
}

size_t publishSize(const Publish& p, Version v) { return layout(p, v).total; }

void encodePublish(const Publish& p, Version v, Buffer& out) {
  const PublishLayout l = layout(p, v);
  reserveExtra(out, l.total);
  uint8_t first = uint8_t(uint8_t(PacketType::Publish) << 4 | (p.qos & 3) << 1);
  if (p.dup) first |= 0x8;
  if (p.retain) first |= 0x1;
  out.push_back(first);
  appendVarint(uint32_t(l.remaining), out);
  detail::putString(p.topic, out);
  if (p.qos > 0) detail::putU16(p.packetId, out);
  if (v == Version::V5) {
    if (l.propertiesLen == 0)
      out.push_back(0);
    else
      detail::writeProperties(p.properties, out);
  }
  detail::putBytes(p.payload, out);
}

}  // namespace mqgw::mqtt
