// What the gateway keeps per console instance while it runs: the instance's current view (its
// parent topics, groups, spec, status), its live connection count and its publish rate bucket.
// Created when first needed and kept for the life of the process (there are few instances).
// The hot paths read the view through a per-worker cache that is refreshed only when the
// registry's generation moved: no lock and no shared write per publish, except the rate bucket.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "resources/catalog.h"

namespace mqgw::tenancy {

class InstanceRuntime {
 public:
  InstanceRuntime(std::string id, uint32_t workers);
  const std::string& id() const { return id_; }
  const std::string& prefix() const { return prefix_; }  // "$i/<id>/"

  // The current view, from `worker`'s cache; any thread may pass kAnyThread (locks).
  static constexpr uint32_t kAnyThread = UINT32_MAX;
  resources::InstanceViewPtr view(uint32_t worker);
  // The hot path's form: a pointer into `worker`'s cache, valid until that worker asks again
  // (no shared reference count touched per publish). Null when there is no view; any other
  // thread must use view().
  const resources::InstanceView* cachedView(uint32_t worker);
  void update(resources::InstanceViewPtr v);  // a change from the registry (any thread)
  bool usable(uint32_t worker);               // bound to storage that still exists

  // Live connections: counted on admission, released when the connection ends.
  bool tryConnect(uint32_t max);
  void disconnect() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t connections() const { return connections_.load(std::memory_order_relaxed); }

  // One publish against the instance's MaxPublishTps (a token bucket with one second of burst).
  bool takePublish(uint64_t nowMs, uint32_t tps);

 private:
  std::string id_, prefix_;
  std::mutex mu_;
  resources::InstanceViewPtr view_;
  std::atomic<uint64_t> version_{1};
  struct alignas(64) Cache {
    uint64_t version = 0;
    resources::InstanceViewPtr view;
  };
  std::vector<Cache> caches_;
  std::atomic<int64_t> connections_{0};
  // Token bucket in thousandths of a publish, so that low rates refill smoothly.
  alignas(64) std::atomic<int64_t> milliTokens_{-1};  // -1: not started
  std::atomic<uint64_t> refilledMs_{0};
};

// The runtime of `instanceId`, created (without a view) when first asked for. Thread-safe.
InstanceRuntime* runtimeFor(std::string_view instanceId, uint32_t workers);

}  // namespace mqgw::tenancy
