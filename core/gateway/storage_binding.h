// The one storage backend this gateway is bound to, and the publish path through it: append,
// wait for the backend to say "stored", then route and (for QoS>0) let the frontend acknowledge.
#pragma once

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw {

class Connection;
class PublishRetry;
class Worker;

// One publish on its way through the backend (storage_binding.cc).
struct PendingPublish {
  Worker* worker;
  Connection* origin;  // holds a ref; may be dead by completion
  mqgw_message* msg;   // holds a ref
  uint64_t cookie;
  int status;
  bool feeds;
  bool retrying;  // counted in its worker's PublishRetry
  uint64_t seq;   // publish order on its worker: retries keep it
};

class StorageBinding {
 public:
  StorageBinding();
  ~StorageBinding();
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
  void complete(PendingPublish* p);  // on p's worker
  void setWorkers(uint32_t n);       // before the workers start
  void retryWaiting();               // the current worker's sweep: try waiting publishes again

  // Durable state (docs/decisions/0004-durable-sessions.md): only with a backend that keeps it.
  bool durable() const {
    return ops_ && ops_->load && ops_->replay && ops_->session_put && ops_->session_delete &&
           ops_->cursors_put;
  }
  void putSession(const std::string& clientId, const std::vector<uint8_t>& state);
  void deleteSession(const std::string& clientId);
  // One worker's cursor batch. The floor stored with it is the minimum of every worker's last
  // published floor; this worker publishes its own only after the batch is handed over, so a
  // stored floor never runs ahead of a cursor still to be written.
  void putCursors(uint32_t worker, const std::vector<mqgw_cursor>& rows,
                  const std::vector<mqgw_position>& workerFloor);
  void initFloors(uint32_t workers, const std::vector<mqgw_position>& floors);

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
  std::mutex floorMu_;
  std::vector<std::vector<mqgw_position>> floors_;  // per worker, per partition
  std::mutex feedMu_;
  std::vector<mqgw_message*> feedBatch_;  // fed from a backend thread, awaiting worker 0
  std::condition_variable feedTaken_;     // a feeder waits here while the batch is full
  static void routeFedBatch(void* self);
  void append(PendingPublish* p);
  std::vector<std::unique_ptr<PublishRetry>> retries_;  // per worker
};

}  // namespace mqgw
