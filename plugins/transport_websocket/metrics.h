// The websocket layer's counters, shared by every listener that stacks it.
#pragma once

#include <cstdint>

namespace mqgw::wsplugin {

struct MetricIds {
  uint32_t handshakes = UINT32_MAX;         // 101 sent
  uint32_t handshakeFailures = UINT32_MAX;  // refused, timed out or abandoned before 101
  uint32_t framesIn = UINT32_MAX;
  uint32_t framesOut = UINT32_MAX;
  uint32_t bytesIn = UINT32_MAX;   // binary payload bytes passed up
  uint32_t bytesOut = UINT32_MAX;  // binary payload bytes framed and sent
  uint32_t closesSent = UINT32_MAX;
};

extern MetricIds gMetrics;

void registerMetrics();
void count(uint32_t id, int64_t delta = 1);

}  // namespace mqgw::wsplugin
