// Counters and gauges, sharded per thread so the hot path never contends: each thread owns a
// slab of slots and is the only writer of it; readers sum every slab with relaxed loads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace mqgw::metrics {

inline constexpr uint32_t kMaxMetrics = 512;

struct Descriptor {
  std::string name;
  std::string help;
  bool gauge = false;
};

// Idempotent by name: registering an existing name returns its id. Returns UINT32_MAX when full.
uint32_t registerMetric(const std::string& name, const std::string& help, bool gauge);
void add(uint32_t id, int64_t delta);

struct Sample {
  Descriptor desc;
  int64_t value;
};
std::vector<Sample> snapshot();
int64_t value(const std::string& name);  // -1 when unknown; for tests and logs
std::string prometheusText();

// Ids of the core's own metrics, registered once by registerCoreMetrics().
struct Core {
  uint32_t connectionsActive, connectionsTotal, connectionsRejected, messagesPublished,
      messagesRouted, messagesForwarded, storageErrors, storageUnavailable, loopTasks;
};
const Core& core();
void registerCoreMetrics();

}  // namespace mqgw::metrics
