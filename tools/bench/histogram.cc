#include "histogram.h"

#include <cmath>

namespace mqgw::bench {

uint64_t Histogram::lowerBound(unsigned index) {
  if (index < kSub) return index;
  unsigned shift = (index - kSub) / kSub;
  uint64_t sub = (index - kSub) % kSub + kSub;
  return sub << shift;
}

uint64_t Histogram::upperBound(unsigned index) {
  if (index < kSub) return index;
  unsigned shift = (index - kSub) / kSub;
  return lowerBound(index) + ((uint64_t{1} << shift) - 1);
}

void Histogram::merge(const Histogram& other) {
  for (unsigned i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  if (other.max_ > max_) max_ = other.max_;
}

uint64_t Histogram::quantile(double q) const {
  if (total_ == 0) return 0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  // Rank of the sample we want, 1-based: the smallest value with at least q of samples <= it.
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      uint64_t mid = lowerBound(i) + (upperBound(i) - lowerBound(i)) / 2;
      return mid < max_ ? mid : max_;
    }
  }
  return max_;
}

}  // namespace mqgw::bench
