// Counters this frontend reports; registered once per process (the core dedupes by name).
#pragma once

#include <cstdint>

#include "host.h"

namespace mqgw::mqttfe {

struct MetricIds {
  uint32_t protocolErrors = UINT32_MAX;
  uint32_t keepaliveTimeouts = UINT32_MAX;
  uint32_t dropped = UINT32_MAX;
  uint32_t delivered = UINT32_MAX;
  uint32_t connects = UINT32_MAX;
  uint32_t connackRefused = UINT32_MAX;
  uint32_t expired = UINT32_MAX;
  uint32_t authFailures = UINT32_MAX;
};

extern MetricIds gMetrics;

void registerMetrics();

inline void bump(uint32_t id, int64_t delta = 1) {
  if (id != UINT32_MAX) host().metric_add(id, delta);
}

}  // namespace mqgw::mqttfe
