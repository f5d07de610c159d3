#include "metrics/metrics.h"

#include <memory>
#include <mutex>

namespace mqgw::metrics {
namespace {

struct Slab {
  std::atomic<int64_t> slots[kMaxMetrics] = {};
};

struct Registry {
  std::mutex mu;  // taken on registration and when a thread first writes; never per add()
  std::vector<Descriptor> descs;
  std::vector<std::unique_ptr<Slab>> slabs;  // slabs outlive their threads: values persist
};

Registry& registry() {
  static Registry* r = new Registry();  // leaked on purpose: usable during static destruction
  return *r;
}

Slab* threadSlab() {
  thread_local Slab* slab = nullptr;
  if (!slab) {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.slabs.push_back(std::make_unique<Slab>());
    slab = r.slabs.back().get();
  }
  return slab;
}

Core gCore;

}  // namespace

uint32_t registerMetric(const std::string& name, const std::string& help, bool gauge) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  for (uint32_t i = 0; i < r.descs.size(); ++i)
    if (r.descs[i].name == name) return i;
  if (r.descs.size() >= kMaxMetrics) return UINT32_MAX;
  r.descs.push_back({name, help, gauge});
  return static_cast<uint32_t>(r.descs.size() - 1);
}

void add(uint32_t id, int64_t delta) {
  if (id >= kMaxMetrics) return;
  auto& slot = threadSlab()->slots[id];
  // Single writer per slab: a plain load+store is enough and avoids a locked instruction.
  slot.store(slot.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

std::vector<Sample> snapshot() {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<Sample> out;
  out.reserve(r.descs.size());
  for (uint32_t i = 0; i < r.descs.size(); ++i) {
    int64_t sum = 0;
    for (auto& s : r.slabs) sum += s->slots[i].load(std::memory_order_relaxed);
    out.push_back({r.descs[i], sum});
  }
  return out;
}

int64_t value(const std::string& name) {
  for (auto& s : snapshot())
    if (s.desc.name == name) return s.value;
  return -1;
}

std::string prometheusText() {
  std::string out;
  for (auto& s : snapshot()) {
    out += "# HELP " + s.desc.name + " " + s.desc.help + "\n";
    out += "# TYPE " + s.desc.name + (s.desc.gauge ? " gauge\n" : " counter\n");
    out += s.desc.name + " " + std::to_string(s.value) + "\n";
  }
  return out;
}

const Core& core() { return gCore; }

void registerCoreMetrics() {
  gCore.connectionsActive = registerMetric("mqgw_connections_active", "Open connections", true);
  gCore.connectionsTotal = registerMetric("mqgw_connections_total", "Accepted connections", false);
  gCore.connectionsRejected = registerMetric(
      "mqgw_connections_rejected_total", "Connections refused at accept (max_connections)", false);
  gCore.messagesPublished =
      registerMetric("mqgw_messages_published_total", "Messages accepted for routing", false);
  gCore.messagesRouted = registerMetric("mqgw_messages_routed_total",
                                        "Message deliveries handed to frontends", false);
  gCore.messagesForwarded = registerMetric(
      "mqgw_messages_forwarded_total", "Messages passed to another worker loop", false);
  gCore.storageErrors =
      registerMetric("mqgw_storage_append_errors_total", "Storage appends that failed", false);
  gCore.storageUnavailable = registerMetric(
      "mqgw_storage_unavailable", "1 while the storage backend reports unavailable", true);
  gCore.loopTasks = registerMetric("mqgw_loop_tasks_total", "Cross-loop tasks run", false);
}

}  // namespace mqgw::metrics
