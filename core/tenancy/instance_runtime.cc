#include "tenancy/instance_runtime.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "tenancy/namespace.h"

namespace mqgw::tenancy {

InstanceRuntime::InstanceRuntime(std::string id, uint32_t workers)
    : id_(std::move(id)), prefix_(prefixOf(id_)), caches_(std::max<uint32_t>(workers, 1)) {}

resources::InstanceViewPtr InstanceRuntime::view(uint32_t worker) {
  if (worker >= caches_.size()) {
    std::lock_guard lock(mu_);
    return view_;
  }
  cachedView(worker);
  return caches_[worker].view;
}

const resources::InstanceView* InstanceRuntime::cachedView(uint32_t worker) {
  if (worker >= caches_.size()) return nullptr;
  Cache& c = caches_[worker];
  uint64_t v = version_.load(std::memory_order_acquire);
  if (c.version != v) {
    std::lock_guard lock(mu_);
    c.view = view_;
    c.version = version_.load(std::memory_order_relaxed);
  }
  return c.view.get();
}

void InstanceRuntime::update(resources::InstanceViewPtr v) {
  std::lock_guard lock(mu_);
  view_ = std::move(v);
  version_.fetch_add(1, std::memory_order_release);
}

bool InstanceRuntime::usable(uint32_t worker) {
  resources::InstanceViewPtr v = view(worker);
  return v && v->instance.status == resources::InstanceStatus::Ready;
}

bool InstanceRuntime::tryConnect(uint32_t max) {
  int64_t now = connections_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (now <= static_cast<int64_t>(max)) return true;
  connections_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

bool InstanceRuntime::takePublish(uint64_t nowMs, uint32_t tps) {
  const int64_t capacity = int64_t{tps} * 1000;
  // Refill by whoever first sees a new millisecond; the others just take.
  uint64_t last = refilledMs_.load(std::memory_order_relaxed);
  if (nowMs > last && refilledMs_.compare_exchange_strong(last, nowMs)) {
    int64_t add = last == 0 ? capacity : static_cast<int64_t>(nowMs - last) * tps;
    int64_t cur = milliTokens_.load(std::memory_order_relaxed);
    int64_t next;
    do {
      next = std::min(capacity, std::max<int64_t>(cur, 0) + add);
    } while (!milliTokens_.compare_exchange_weak(cur, next, std::memory_order_relaxed));
  }
  if (milliTokens_.fetch_sub(1000, std::memory_order_relaxed) >= 1000) return true;
  milliTokens_.fetch_add(1000, std::memory_order_relaxed);
  return false;
}

InstanceRuntime* runtimeFor(std::string_view instanceId, uint32_t workers) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::unique_ptr<InstanceRuntime>> table;
  std::lock_guard lock(mu);
  auto it = table.find(std::string(instanceId));
  if (it != table.end()) return it->second.get();
  auto rt = std::make_unique<InstanceRuntime>(std::string(instanceId), workers);
  InstanceRuntime* raw = rt.get();
  table.emplace(std::string(instanceId), std::move(rt));
  return raw;
}

}  // namespace mqgw::tenancy
