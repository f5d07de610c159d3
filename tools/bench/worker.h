// One thread, one libuv loop, many connections. The worker starts its connections with bounded
// concurrency, follows the run's phase (read from RunState on a 1 ms timer), pumps publishers
// and flushes every dirty connection once per loop iteration (a uv_prepare handle).
#pragma once

#include <uv.h>

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connection.h"
#include "histogram.h"
#include "run_state.h"
#include "transport_factory.h"

namespace mqgw::bench {

struct WorkerResult {
  PublisherCounts published;
  DeliveryCounts delivered;
  Histogram latency;         // end-to-end, ns
  Histogram connectLatency;  // TCP connect start to CONNACK (SUBACK excluded), ns
  uint32_t ready = 0, failed = 0, lost = 0;
  uint64_t firstStartNs = 0, lastReadyNs = 0;
  std::string firstError;
};

class Worker {
 public:
  // Publishers (and storm's idle connections) connect to `broker`, subscribers to `subBroker`.
  Worker(RunState& run, std::vector<ConnectionSpec> specs, const sockaddr_in& broker,
         const sockaddr_in& subBroker, uint32_t maxConnecting, std::string clientIdPrefix);
  ~Worker();
  void start();
  void join();
  // Call after join().
  WorkerResult result() const;

  // Used by Connection.
  uv_loop_t* loop() { return &loop_; }
  RunState& run() { return run_; }
  const TransportFactory& transports() const { return transports_; }
  // Transport stacks: MQTT bytes decoded from one read (consumed before the next).
  std::vector<uint8_t>& appScratch() { return appScratch_; }
  const Options& options() const { return run_.options; }
  Histogram* latency() { return &result_.latency; }
  uint8_t* readBuffer() { return readBuf_.data(); }
  size_t readBufferSize() const { return readBuf_.size(); }
  void markDirty(Connection* c) {
    if (!c->dirty) {
      c->dirty = true;
      dirty_.push_back(c);
    }
  }
  void onReady(Connection& c);
  void onFailed(Connection& c, const char* why, bool wasReady);
  void onClosed(Connection& c);

 private:
  void threadMain();
  static void onPrepare(uv_prepare_t* h);
  static void onTick(uv_timer_t* h);
  void tick();
  void enterPhase(Phase p);
  void startMore();
  void reportProgress();
  void finish();

  RunState& run_;
  sockaddr_in broker_;
  sockaddr_in subBroker_;
  uint32_t maxConnecting_;
  uv_loop_t loop_{};
  uv_prepare_t prepare_{};
  uv_timer_t timer_{};
  std::thread thread_;

  std::vector<std::unique_ptr<Connection>> conns_;
  std::vector<Connection*> publishers_;
  std::deque<Connection*> toStart_;
  std::vector<Connection*> dirty_, flushing_;
  std::vector<uint8_t> readBuf_;
  TransportFactory transports_;
  std::vector<uint8_t> appScratch_;
  uint32_t connecting_ = 0;
  uint32_t open_ = 0;
  Phase phase_ = Phase::ConnectSubscribers;
  bool entered_ = false;
  bool finishing_ = false;
  uint64_t closingSinceNs_ = 0;
  uint64_t lastProgressNs_ = 0, lastPingSweepNs_ = 0;
  uint64_t reportedSent_ = 0, reportedUnique_ = 0;
  WorkerResult result_;
};

}  // namespace mqgw::bench
