// Helpers shared by the connection's source files: the reused encode buffer and limits.
#pragma once

#include <cstdint>

#include "host.h"
#include "mqtt/mqtt_codec.h"

namespace mqgw::mqttfe {

// A per-thread buffer, cleared, to encode one packet into before host->conn_write copies it.
// Encode and write back to back: nothing that can call into a hook may run in between.
mqtt::Buffer& scratchBuffer();

// The largest packet either side may send (limits.max_packet_size; the MQTT maximum if unset).
uint32_t maxPacketSize();

using mqtt::DecodeError;
inline DecodeError protocolError(const char* what) {
  return DecodeError{mqtt::reason::ProtocolError, what};
}

}  // namespace mqgw::mqttfe
