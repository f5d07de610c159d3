// Log-bucketed latency histogram (HdrHistogram layout): values below 128 are exact, above that
// each power of two is split into 128 linear sub-buckets, so any value is kept within 0.8%.
// Fixed size (~58 KiB), no allocation per sample, mergeable across threads.
#pragma once

#include <array>
#include <cstdint>

namespace mqgw::bench {

class Histogram {
 public:
  void record(uint64_t value) {
    ++counts_[indexOf(value)];
    ++total_;
    if (value > max_) max_ = value;
  }
  void merge(const Histogram& other);
  uint64_t count() const { return total_; }
  uint64_t max() const { return max_; }
  // Value at quantile q in [0, 1]: midpoint of the bucket holding the q-th sample; 0 when empty.
  uint64_t quantile(double q) const;

  static constexpr unsigned kSubBits = 7;
  static constexpr unsigned kSub = 1u << kSubBits;  // 128
  static constexpr unsigned kBuckets = kSub + (64 - kSubBits) * kSub;

  static unsigned indexOf(uint64_t v) {
    if (v < kSub) return static_cast<unsigned>(v);
    unsigned exp = 63u - static_cast<unsigned>(__builtin_clzll(v));  // >= kSubBits
    unsigned shift = exp - kSubBits;
    return kSub + shift * kSub + static_cast<unsigned>((v >> shift) - kSub);
  }
  // Smallest and largest value that land in bucket `index`.
  static uint64_t lowerBound(unsigned index);
  static uint64_t upperBound(unsigned index);

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

}  // namespace mqgw::bench
