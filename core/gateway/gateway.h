// The process-wide runtime: workers, listeners' stacks, the storage binding, the session
// registry. Built once at start-up by main; read-only afterwards except for atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gateway/storage_binding.h"
#include "loop/worker.h"
#include "net/stack.h"
#include "router/session_registry.h"

namespace mqgw {

class Gateway {
 public:
  static Gateway& get();

  void createWorkers(uint32_t n);
  uint32_t workerCount() const { return static_cast<uint32_t>(workers_.size()); }
  Worker& worker(uint32_t i) { return *workers_[i]; }
  std::vector<std::unique_ptr<Worker>>& workers() { return workers_; }

  SessionRegistry& sessions() { return sessions_; }
  StorageBinding& storage() { return storage_; }

  uint64_t nextSessionId() { return sessionIds_.fetch_add(1, std::memory_order_relaxed) + 1; }
  uint64_t nextConnectionId() { return connIds_.fetch_add(1, std::memory_order_relaxed) + 1; }
  std::atomic<int64_t> activeConnections{0};

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  SessionRegistry sessions_;
  StorageBinding storage_;
  std::atomic<uint64_t> sessionIds_{0};
  std::atomic<uint64_t> connIds_{0};
};

}  // namespace mqgw
