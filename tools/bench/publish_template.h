// One PUBLISH packet encoded once with the codec, then copied and patched per message (payload
// header, packet id), so the publisher's per-message cost is a memcpy and two small stores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mqtt/mqtt_codec.h"
#include "payload.h"

namespace mqgw::bench {

class PublishTemplate {
 public:
  // Returns false (with *error set) if the codec's output could not be verified.
  bool build(const std::string& topic, uint8_t qos, uint32_t payloadSize, mqtt::Version v,
             std::string* error);

  size_t size() const { return bytes_.size(); }
  // Appends one packet with this header and packet id (ignored for QoS 0).
  void appendTo(std::vector<uint8_t>& out, const PayloadHeader& h, uint16_t packetId) const {
    size_t at = out.size();
    out.insert(out.end(), bytes_.begin(), bytes_.end());
    writePayloadHeader(out.data() + at + payloadOffset_, h);
    if (qos_ > 0) {
      out[at + packetIdOffset_] = static_cast<uint8_t>(packetId >> 8);
      out[at + packetIdOffset_ + 1] = static_cast<uint8_t>(packetId & 0xff);
    }
  }

 private:
  std::vector<uint8_t> bytes_;
  size_t payloadOffset_ = 0;
  size_t packetIdOffset_ = 0;
  uint8_t qos_ = 0;
};

}  // namespace mqgw::bench
