// Publishes waiting for an unavailable backend (docs/plugins/storage.md, "the acknowledgement
// rule"): a QoS 1/2 publish the backend refused with MQGW_E_UNAVAILABLE or MQGW_E_AGAIN stays
// unacknowledged and is tried again on its worker's next sweep (250 ms). A connection with
// publishes waiting sends its later ones behind them (order per publisher), and stops being
// read once `limits.max_inflight` of them wait: the wait is bounded per connection, and memory
// with it. One queue per worker, touched only by that worker's thread.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>

namespace mqgw {

class Connection;
struct PendingPublish;

class PublishRetry {
 public:
  bool empty() const { return waiting_.empty(); }
  uint64_t nextSeq() { return ++lastSeq_; }  // for a new PendingPublish of this worker
  // Whether publishes from c must queue behind earlier ones.
  bool holds(Connection* c) const { return !perConnection_.empty() && perConnection_.count(c); }
  void add(PendingPublish* p);  // p enters (or re-enters) the wait
  // Takes every waiting publish, for another try; those that fail again come back via add().
  std::deque<PendingPublish*> takeAll();
  void finished(PendingPublish* p);  // p left the retry system for good

 private:
  std::deque<PendingPublish*> waiting_;
  std::unordered_map<Connection*, uint32_t> perConnection_;  // publishes in the system
  uint64_t lastSeq_ = 0;
};

}  // namespace mqgw
