#include "cursor_codec.h"

#include <limits>

namespace mqgw::native {
namespace {

void putVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads one varint at *pos; at most 10 bytes, the 10th may carry only the top bit.
bool getVarint(std::span<const uint8_t> in, size_t* pos, uint64_t* value) {
  uint64_t result = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (*pos >= in.size()) return false;
    uint8_t byte = in[(*pos)++];
    if (shift == 63 && byte > 1) return false;  // would overflow 64 bits
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

}  // namespace

void encodeCursor(std::span<const Position> next, std::string* out) {
  out->push_back(static_cast<char>(kCursorFormatV1));
  putVarint(next.size(), out);
  for (const Position& p : next) {
    putVarint(p.partition, out);
    putVarint(p.offset, out);
  }
}

bool decodeCursor(std::span<const uint8_t> blob, std::vector<Position>* out) {
  out->clear();
  if (blob.empty() || blob[0] != kCursorFormatV1) return false;
  size_t pos = 1;
  uint64_t count = 0;
  if (!getVarint(blob, &pos, &count) || count == 0) return false;
  // Every position takes at least two bytes: bound the count before reserving.
  if (count > (blob.size() - pos) / 2) return false;
  out->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t partition = 0;
    uint64_t offset = 0;
    if (!getVarint(blob, &pos, &partition) || !getVarint(blob, &pos, &offset)) return false;
    if (partition > std::numeric_limits<uint32_t>::max()) return false;
    out->push_back(Position{static_cast<uint32_t>(partition), offset});
  }
  return pos == blob.size();
}

}  // namespace mqgw::native
