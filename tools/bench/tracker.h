// Per-subscriber bookkeeping of what arrived from each publisher: unique messages (a bitset
// indexed by sequence number), duplicates, reordering (a sequence lower than the last one seen
// from that publisher) and end-to-end latency. Only messages stamped after the warm-up count.
#pragma once

#include <atomic>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "histogram.h"
#include "payload.h"

namespace mqgw::bench {

struct DeliveryCounts {
  uint64_t received = 0;  // every PUBLISH with a valid header, warm-up included
  uint64_t unique = 0;    // measured (stamped after warm-up), first arrival of its sequence
  uint64_t dup = 0;       // measured, sequence already seen
  uint64_t reorder = 0;   // measured, sequence lower than the previous one from that publisher
  uint64_t malformed = 0; // payload too short to carry a header
  void add(const DeliveryCounts& o) {
    received += o.received; unique += o.unique; dup += o.dup; reorder += o.reorder;
    malformed += o.malformed;
  }
};

class SubscriberTracker {
 public:
  // `latency` is the worker's histogram (shared by its subscribers, never across threads).
  // `delivered` (may be null) counts every arrival per publisher index for flow control.
  SubscriberTracker(Histogram* latency, std::atomic<uint64_t>* delivered, uint32_t publishers)
      : latency_(latency), delivered_(delivered), publishers_(publishers) {}

  void onPayload(const void* data, size_t len, uint64_t nowNs, uint64_t measureFromNs);
  const DeliveryCounts& counts() const { return counts_; }

 private:
  struct PerPublisher {
    std::vector<uint64_t> seen;  // bit per sequence number
    int64_t lastSeq = -1;
  };
  PerPublisher& publisher(uint32_t index);

  Histogram* latency_;
  std::atomic<uint64_t>* delivered_;
  uint32_t publishers_;
  DeliveryCounts counts_;
  std::unordered_map<uint32_t, PerPublisher> byPublisher_;
  uint32_t lastIndex_ = UINT32_MAX;   // one-entry cache: most subscribers hear one publisher
  PerPublisher* lastPublisher_ = nullptr;
};

}  // namespace mqgw::bench
