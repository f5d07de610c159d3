// The one storage backend this gateway is bound to, and the publish path through it: append,
// wait for the backend to say "stored", then route and (for QoS>0) let the frontend acknowledge.
#pragma once

#include <atomic>
#include <cstdint>

#include "mqgw/plugin_abi.h"

namespace mqgw {

class Connection;

class StorageBinding {
 public:
  void bind(const char* name, const mqgw_storage_ops* ops, void* backend, uint64_t caps) {
    name_ = name;
    ops_ = ops;
    backend_ = backend;
    caps_ = caps;
  }
  bool bound() const { return ops_ != nullptr; }
  const char* name() const { return name_; }
  const mqgw_storage_ops* ops() const { return ops_; }
  void* backend() const { return backend_; }

  // Runs on the publishing connection's worker. Completion arrives on the same worker.
  int publish(Connection* origin, mqgw_message* msg, uint64_t cookie);

  // Called by the backend through the host API (any thread).
  void feed(mqgw_message* msg);
  void healthChanged(int health);
  int health() const { return health_.load(std::memory_order_relaxed); }

 private:
  const char* name_ = "";
  const mqgw_storage_ops* ops_ = nullptr;
  void* backend_ = nullptr;
  uint64_t caps_ = 0;
  std::atomic<int> health_{MQGW_HEALTH_READY};
};

}  // namespace mqgw
