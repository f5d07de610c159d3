// Helpers shared by the connection's source files: the reused encode buffer and limits.
#pragma once

#include <chrono>
#include <cstdint>

#include "host.h"
#include "mqtt/mqtt_codec.h"

namespace mqgw::mqttfe {

// A per-thread buffer, cleared, to encode one packet into before host->conn_write copies it.
// Encode and write back to back: nothing that can call into a hook may run in between.
mqtt::Buffer& scratchBuffer();

// The largest packet either side may send (limits.max_packet_size; the MQTT maximum if unset).
uint32_t maxPacketSize();

// Milliseconds since the epoch: message expiry counts from the message's created_ms.
inline uint64_t wallClockMs() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// mqtt5.cc: a short text for a refusal's reason code (nullptr if none), and whether a PUBLISH
// with Payload Format Indicator 1 really carries UTF-8.
const char* reasonText(uint8_t code);
bool payloadFormatValid(const mqtt::Publish& p);

using mqtt::DecodeError;
inline DecodeError protocolError(const char* what) {
  return DecodeError{mqtt::reason::ProtocolError, what};
}

}  // namespace mqgw::mqttfe
