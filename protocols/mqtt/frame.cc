// readFrame: the fixed header (MQTT 2.1). Everything that the first byte and the remaining
// length can tell is checked here, before the body has arrived, so a bad peer fails fast.
#include "mqtt/codec_io.h"

namespace mqgw::mqtt {
namespace {

using detail::malformed;

FrameResult fail(DecodeError e) {
  FrameResult r;
  r.status = Status::Error;
  r.error = e;
  return r;
}

// Fixed-header flags per type (MQTT 2.1.3): most must be 0, three must be 0b0010, and a
// PUBLISH may not carry QoS 3.
bool flagsValid(PacketType type, uint8_t flags) {
  switch (type) {
    case PacketType::Publish: return ((flags >> 1) & 3) != 3;
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe: return flags == 0x2;
    default: return flags == 0;
  }
}

}  // namespace

FrameResult readFrame(std::span<const uint8_t> in, uint32_t maxPacketSize) {
  FrameResult r;
  if (in.empty()) return r;
  const uint8_t first = in[0];
  const auto type = PacketType(first >> 4);
  const uint8_t flags = first & 0x0F;
  if (first >> 4 == 0) return fail(malformed("reserved packet type 0"));
  if (!flagsValid(type, flags)) return fail(malformed("invalid fixed header flags"));

  uint32_t remaining = 0;
  size_t used = 0;
  switch (detail::decodeVarint(in.data() + 1, in.size() - 1, remaining, used)) {
    case detail::VarintResult::NeedMore: return r;
    case detail::VarintResult::Malformed: return fail(malformed("bad remaining length"));
    case detail::VarintResult::Ok: break;
  }
  if ((type == PacketType::Pingreq || type == PacketType::Pingresp) && remaining != 0)
    return fail(malformed("PINGREQ/PINGRESP with a body"));
  const size_t total = 1 + used + size_t(remaining);
  if (total > maxPacketSize) return fail({reason::PacketTooLarge, "packet too large"});
  if (in.size() < total) return r;

  r.status = Status::Ok;
  r.frame.type = type;
  r.frame.flags = flags;
  r.frame.body = in.subspan(1 + used, remaining);
  r.frame.size = total;
  return r;
}

}  // namespace mqgw::mqtt
