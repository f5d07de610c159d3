// The core's stable binary record of a message, for backends that store bytes (the native log)
// and for tools that read them. Versioned; a newer version is refused, never guessed at.
//
// Layout (little-endian, v1):
//   u8 magic 'M', u8 version 1, u8 flags (bits 0-1 QoS, 2 retain, 3 has_expiry),
//   u8 payload_format, u64 created_ms, 16 bytes id, u32 expiry_interval_s (only with has_expiry),
//   then varint-length-prefixed strings: topic, payload, content_type, response_topic,
//   correlation_data, publisher_id, then a varint user-property count and each key, value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mqgw/plugin_abi.h"

namespace mqgw::message {

// Returns the record's size; writes it only when it fits in cap.
size_t encodeRecord(const mqgw_message_view& v, uint8_t* out, size_t cap);
// A new message (refcount 1) keeping the record's id and created_ms, or nullptr when the bytes
// are not a complete, valid v1 record.
mqgw_message* decodeRecord(const uint8_t* data, size_t len);

}  // namespace mqgw::message
