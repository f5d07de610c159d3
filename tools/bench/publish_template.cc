#include "publish_template.h"

#include <span>

namespace mqgw::bench {

bool PublishTemplate::build(const std::string& topic, uint8_t qos, uint32_t payloadSize,
                            mqtt::Version v, std::string* error) {
  std::vector<uint8_t> payload(payloadSize, 'x');
  mqtt::Publish p;
  p.qos = qos;
  p.topic = topic;
  p.packetId = qos > 0 ? 1 : 0;
  p.payload = std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size());
  bytes_.clear();
  mqtt::encodePublish(p, v, bytes_);
  qos_ = qos;
  // Layout: fixed header | topic | [packet id] | [v5 properties, empty = one 0 byte] | payload.
  payloadOffset_ = bytes_.size() - payloadSize;
  packetIdOffset_ = payloadOffset_ - (v == mqtt::Version::V5 ? 1 : 0) - 2;

  // Check the offsets by patching a distinctive header and id and decoding the result.
  std::vector<uint8_t> probe;
  PayloadHeader h{0x0102030405060708ULL, 77, 99};
  appendTo(probe, h, 0xBEEF);
  auto fr = mqtt::readFrame(std::span<const uint8_t>(probe), 1u << 28);
  mqtt::Publish back;
  PayloadHeader hb;
  if (fr.status != mqtt::Status::Ok || fr.frame.size != probe.size() ||
      mqtt::decodePublish(fr.frame, v, back).has_value() || back.topic != topic ||
      (qos > 0 && back.packetId != 0xBEEF) || back.payload.size() != payloadSize ||
      !readPayloadHeader(back.payload.data(), back.payload.size(), hb) || hb.seq != 99 ||
      hb.publisher != 77 || hb.sentNs != h.sentNs) {
    *error = "PUBLISH template did not decode back as expected (codec layout changed?)";
    return false;
  }
  return true;
}

}  // namespace mqgw::bench
