// MQTT 5 property block: decode with per-packet allow-lists and duplicate checks, size, encode.
#pragma once

#include <optional>

#include "mqtt/codec_io.h"

namespace mqgw::mqtt::detail {

// Where a property block appears; each property lists the places it is allowed (MQTT 5 2.2.2.2).
enum PropertyPlace : uint16_t {
  kInConnect = 1 << 0,
  kInConnack = 1 << 1,
  kInPublish = 1 << 2,
  kInWill = 1 << 3,
  kInAck = 1 << 4,  // PUBACK, PUBREC, PUBREL, PUBCOMP
  kInSubscribe = 1 << 5,
  kInSuback = 1 << 6,
  kInUnsubscribe = 1 << 7,
  kInUnsuback = 1 << 8,
  kInDisconnect = 1 << 9,
  kInAuth = 1 << 10,
};

// Reads the property length and the properties that follow into `out` (cleared first).
std::optional<DecodeError> readProperties(Reader& r, PropertyPlace place, Properties& out);

// Resets every field while keeping the vectors' capacity, so a reused struct does not allocate.
void clearProperties(Properties& p);

// Bytes of the property list itself, without its length prefix.
size_t propertiesSize(const Properties& p);
// Property length varint + the properties.
size_t propertyBlockSize(const Properties& p);
void writeProperties(const Properties& p, Buffer& out);
inline bool hasProperties(const Properties& p) { return propertiesSize(p) != 0; }

}  // namespace mqgw::mqtt::detail
