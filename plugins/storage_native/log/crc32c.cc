#include "log/crc32c.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace mqgw::nlog {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;
using Tables = std::array<std::array<uint32_t, 256>, 8>;

// tables[k][b] is the CRC of byte b followed by k zero bytes: slicing-by-8 folds 8 bytes per step.
constexpr Tables makeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = makeTables();

inline uint32_t stepByte(uint32_t crc, uint8_t b) { return kTables[0][(crc ^ b) & 0xFF] ^ (crc >> 8); }

uint32_t portable(uint32_t crc, const uint8_t* p, size_t n) {
  crc = ~crc;
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = stepByte(crc, *p++);
    --n;
  }
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);  // little-endian host: byte 0 is the low byte
    w ^= crc;
    crc = kTables[7][w & 0xFF] ^ kTables[6][(w >> 8) & 0xFF] ^ kTables[5][(w >> 16) & 0xFF] ^
          kTables[4][(w >> 24) & 0xFF] ^ kTables[3][(w >> 32) & 0xFF] ^
          kTables[2][(w >> 40) & 0xFF] ^ kTables[1][(w >> 48) & 0xFF] ^ kTables[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = stepByte(crc, *p++);
  return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t hardware(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t c = ~crc;
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
    --n;
  }
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
  return ~static_cast<uint32_t>(c);
}

bool detectHardware() { return __builtin_cpu_supports("sse4.2"); }
#else
uint32_t hardware(uint32_t crc, const uint8_t* p, size_t n) { return portable(crc, p, n); }
bool detectHardware() { return false; }
#endif

// Function-local statics: safe even when called from another file's static initializer.
bool hasHardware() {
  static const bool has = detectHardware();
  return has;
}

using ExtendFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);
ExtendFn chosenExtend() {
  static const ExtendFn fn = hasHardware() ? hardware : portable;
  return fn;
}

}  // namespace

static_assert(std::endian::native == std::endian::little, "the log format code assumes x86/ARM LE");

uint32_t crc32cExtend(uint32_t crc, const void* data, size_t len) {
  return chosenExtend()(crc, static_cast<const uint8_t*>(data), len);
}

uint32_t crc32cExtendPortable(uint32_t crc, const void* data, size_t len) {
  return portable(crc, static_cast<const uint8_t*>(data), len);
}

bool crc32cHardwareAvailable() { return hasHardware(); }

uint32_t crc32cExtendHardware(uint32_t crc, const void* data, size_t len) {
  return hasHardware() ? hardware(crc, static_cast<const uint8_t*>(data), len)
                      : portable(crc, static_cast<const uint8_t*>(data), len);
}

}  // namespace mqgw::nlog
