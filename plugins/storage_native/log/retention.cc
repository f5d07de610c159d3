// Retention: whole closed segments go, oldest first; the active segment never does.
#include "log/log.h"
#include "log/segment.h"

namespace mqgw::nlog {

size_t Log::applyRetention(uint64_t now_ms) {
  if (options_.retention_bytes == 0 && options_.retention_ms == 0) return 0;
  std::vector<SegmentPtr> doomed;
  {
    std::lock_guard lock(mu_);
    uint64_t total = 0;
    for (const auto& seg : segments_) total += seg->publishedEndPos();
    size_t drop = 0;
    while (segments_.size() - drop > 1) {
      const Segment& oldest = *segments_[drop];
      bool too_big = options_.retention_bytes != 0 && total > options_.retention_bytes;
      bool too_old = options_.retention_ms != 0 &&
                     oldest.lastTimestampMs() + options_.retention_ms < now_ms;
      if (!too_big && !too_old) break;
      total -= oldest.publishedEndPos();
      doomed.push_back(segments_[drop]);
      drop++;
    }
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(drop));
    segments_deleted_ += drop;
  }
  // Readers still holding a segment keep reading through their open descriptors.
  for (const auto& seg : doomed) {
    if (int rc = seg->removeFiles(); rc < 0) {
      env_->message(LogSeverity::Warning,
                    "native log: retention cannot delete " +
                        Segment::fileName(seg->baseOffset(), "log") + " (errno " +
                        std::to_string(-rc) + ")");
    }
  }
  if (!doomed.empty() && options_.sync_on_roll) ops_->syncDir(options_.dir);
  return doomed.size();
}

}  // namespace mqgw::nlog
