// Compact blob encoding of a session cursor (the `cursor` column of the sessions table).
//
// Format (version 1), all integers unsigned LEB128 varints (7 bits per byte, low group
// first, high bit set on every byte but the last):
//   byte 0        format version, 0x01
//   varint        n, the number of positions (>= 1; an empty cursor is stored as SQL NULL)
//   n times       varint partition (< 2^32), varint offset (< 2^64)
// A one-partition cursor at offset 1,000,000 takes 1 + 1 + 1 + 3 = 6 bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "state_types.h"

namespace mqgw::native {

inline constexpr uint8_t kCursorFormatV1 = 0x01;

// Appends the encoding of `next` (non-empty) to `out`.
void encodeCursor(std::span<const Position> next, std::string* out);

// Decodes a blob written by encodeCursor into `out` (cleared first). Returns false on a
// wrong version byte, a truncated or overlong varint, a partition above 2^32-1, n == 0 or
// trailing bytes; never reads past `blob`.
bool decodeCursor(std::span<const uint8_t> blob, std::vector<Position>* out);

}  // namespace mqgw::native
