// A persistent session's state as the core hands it to a durable backend (session_put): what
// must outlive a restart besides the cursor. Versioned little-endian bytes:
//   u8 version 1, u32 expiry_interval_s, u64 detached_at_ms (wall clock, 0 = was connected),
//   varint subscription count, then per subscription: varint length + filter bytes, u8 qos,
//   u8 flags (bit 0 no_local, bit 1 retain_as_published), u8 retain_handling, varint id.
// The will is not kept: a restart publishes no delayed will (docs/decisions/0004).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "router/session.h"

namespace mqgw::router {

struct SessionRecord {
  uint32_t expiryIntervalS = 0;
  uint64_t detachedAtMs = 0;
  std::vector<Subscription> subscriptions;
};

std::vector<uint8_t> encodeSessionRecord(const SessionRecord& r);
std::optional<SessionRecord> decodeSessionRecord(const uint8_t* data, size_t len);

}  // namespace mqgw::router
