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
  // A message the server sends (management API SendMessage): told the outcome once, on the
  // publishing worker. Null for clients' publishes.
  void (*serverDone)(void* arg, int status) = nullptr;
  void* serverDoneArg = nullptr;
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
  // The same for a message the server itself sends: done(arg, status) once it is stored and
  // routed (MQGW_OK) or failed. On a worker; done runs on it too.
  int publishFromServer(mqgw_message* msg, void (*done)(void*, int), void* arg);
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

  // Several gateway nodes share the backend (MQGW_CAP_STORAGE_CLUSTER, ABI 1.1): sessions are
  // claimed across nodes and $share groups are split by the backend (cluster_sessions.cc).
  bool clustered() const {
    return durable() && (caps_ & MQGW_CAP_STORAGE_CLUSTER) && ops_->session_claim &&
           ops_->session_release && ops_->session_replay && ops_->share_join &&
           ops_->share_leave;
  }

  // Called by the backend through the host API (any thread).
  void feed(mqgw_message* msg);
  // A message of a session_replay for one session (target = sessionTarget()), and the replay's
  // end; both reach the session's worker in feed order.
  void feedSession(uint64_t target, mqgw_message* msg);
  void feedSessionDone(uint64_t target, int status);
  // A message the backend took for a $share group on this node.
  void feedShared(mqgw_str group, mqgw_str filter, mqgw_message* msg);
  static uint64_t sessionTarget(uint32_t worker, uint64_t sessionId) {
    return (uint64_t{worker} << 56) | sessionId;
  }
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
  // One fed item: a message for every subscriber (feed), for one session (target != 0), or
  // for one $share group (share = "group\0filter"); msg is null for a session replay's end.
  struct Fed {
    mqgw_message* msg;
    uint64_t target = 0;
    std::unique_ptr<std::string> share;
    int status = MQGW_OK;
  };
  void push(Fed item);
  static void routeFed(Worker* w, Fed& item);
  std::mutex feedMu_;
  std::vector<Fed> feedBatch_;         // fed from a backend thread, awaiting worker 0
  std::condition_variable feedTaken_;  // a feeder waits here while the batch is full
  static void routeFedBatch(void* self);
  void append(PendingPublish* p);
  std::vector<std::unique_ptr<PublishRetry>> retries_;  // per worker
};

}  // namespace mqgw
