// Checks and encodings of MQTT message fields that the clustered backends write into, and read
// back from, their engine's records (Kafka headers, AMQP properties and headers): the message
// ID as hex text, and the MQTT UTF-8 rule for strings someone else may have written. Pure
// functions; the record layouts stay with each backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mqgw::cluster {

// The longest MQTT string (and binary data) field: a 16-bit length.
inline constexpr size_t kMaxMqttString = 65535;

// n bytes as 2n lowercase hex digits.
std::string hexOf(const uint8_t* bytes, size_t n);

// Exactly 2n hex digits (either case) into n bytes; false otherwise (out partly written).
bool parseHex(std::string_view text, uint8_t* out, size_t n);

// An MQTT UTF-8 Encoded String (MQTT 5 1.5.4): well-formed, no U+0000, no surrogates, at most
// kMaxMqttString bytes. Fields written by someone else must not reach a client's wire otherwise.
bool mqttUtf8(std::string_view s);

}  // namespace mqgw::cluster
