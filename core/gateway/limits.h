// The validated `limits:` section, readable from any thread after start-up (never changes).
#pragma once

#include <cstdint>

#include "mqgw/plugin_abi.h"

namespace mqgw {

struct CoreLimits {
  mqgw_limits abi{};              // the part plugins see through host->limits()
  int64_t maxConnections = 1000000;
  uint64_t shutdownTimeoutMs = 5000;
  uint32_t sessionQueueMessages = 1000;  // a persistent session's queue while its client is away
  uint64_t sessionQueueBytes = 16 * 1024 * 1024;
};

const mqgw_limits& limits();
const CoreLimits& coreLimits();
void setLimits(const CoreLimits& l);  // once, before the workers start

}  // namespace mqgw
