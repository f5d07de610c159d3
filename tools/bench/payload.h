// The 16-byte header every benchmark payload starts with, and the clock it is stamped with.
// Publisher and subscriber run in the same process, so CLOCK_MONOTONIC is a shared time base.
#pragma once

#include <cstdint>
#include <cstring>
#include <ctime>

namespace mqgw::bench {

inline uint64_t monoNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

struct PayloadHeader {
  uint64_t sentNs = 0;     // monoNs() when the publisher encoded the message
  uint32_t publisher = 0;  // publisher index within the run
  uint32_t seq = 0;        // per-publisher sequence, from 0
};
inline constexpr size_t kPayloadHeaderSize = 16;

// Host byte order is fine: the same process writes and reads it.
inline void writePayloadHeader(uint8_t* dst, const PayloadHeader& h) {
  std::memcpy(dst, &h.sentNs, 8);
  std::memcpy(dst + 8, &h.publisher, 4);
  std::memcpy(dst + 12, &h.seq, 4);
}

inline bool readPayloadHeader(const void* src, size_t len, PayloadHeader& h) {
  if (len < kPayloadHeaderSize) return false;
  const auto* p = static_cast<const uint8_t*>(src);
  std::memcpy(&h.sentNs, p, 8);
  std::memcpy(&h.publisher, p + 8, 4);
  std::memcpy(&h.seq, p + 12, 4);
  return true;
}

}  // namespace mqgw::bench
