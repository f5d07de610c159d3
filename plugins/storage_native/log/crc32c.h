#pragma once
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every record and index
// entry. Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at runtime), else a
// table-driven slicing-by-8 loop. Both give identical results.
#include <cstddef>
#include <cstdint>

namespace mqgw::nlog {

// Continues a CRC: crc32cExtend(crc32c(a), b) == crc32c(a ++ b); crc32cExtend(0, x) == crc32c(x).
uint32_t crc32cExtend(uint32_t crc, const void* data, size_t len);

inline uint32_t crc32c(const void* data, size_t len) { return crc32cExtend(0, data, len); }

// The two implementations, exposed so tests can compare them on the same input.
uint32_t crc32cExtendPortable(uint32_t crc, const void* data, size_t len);
bool crc32cHardwareAvailable();
// Only valid when crc32cHardwareAvailable(); otherwise falls back to the portable code.
uint32_t crc32cExtendHardware(uint32_t crc, const void* data, size_t len);

}  // namespace mqgw::nlog
