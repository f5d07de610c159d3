#include "tracker.h"

namespace mqgw::bench {

SubscriberTracker::PerPublisher& SubscriberTracker::publisher(uint32_t index) {
  if (index != lastIndex_) {
    lastPublisher_ = &byPublisher_[index];  // unordered_map nodes never move
    lastIndex_ = index;
  }
  return *lastPublisher_;
}

void SubscriberTracker::onPayload(const void* data, size_t len, uint64_t nowNs,
                                  uint64_t measureFromNs) {
  PayloadHeader h;
  if (!readPayloadHeader(data, len, h)) {
    ++counts_.malformed;
    return;
  }
  ++counts_.received;
  if (delivered_ && h.publisher < publishers_) {
    delivered_[h.publisher].fetch_add(1, std::memory_order_relaxed);
  }
  if (h.sentNs < measureFromNs) return;  // warm-up traffic: neither counted nor timed

  PerPublisher& p = publisher(h.publisher);
  size_t word = h.seq / 64;
  uint64_t bit = uint64_t{1} << (h.seq % 64);
  if (word >= p.seen.size()) p.seen.resize(word + 1 + word / 2, 0);  // amortised growth
  if (p.seen[word] & bit) {
    ++counts_.dup;
  } else {
    p.seen[word] |= bit;
    ++counts_.unique;
    latency_->record(nowNs > h.sentNs ? nowNs - h.sentNs : 0);
  }
  if (static_cast<int64_t>(h.seq) < p.lastSeq) ++counts_.reorder;
  p.lastSeq = h.seq;
}

}  // namespace mqgw::bench
