#include "gateway/publish_retry.h"

#include <iterator>

#include "gateway/limits.h"
#include "gateway/storage_binding.h"
#include "metrics/metrics.h"
#include "net/connection.h"

namespace mqgw {
namespace {

uint32_t waitingGauge() {
  static const uint32_t id = metrics::registerMetric(
      "mqgw_publishes_waiting_for_storage",
      "QoS 1/2 publishes held unacknowledged while the backend is unavailable", true);
  return id;
}

}  // namespace

void PublishRetry::add(PendingPublish* p) {
  if (!p->retrying) {
    p->retrying = true;
    metrics::add(waitingGauge(), 1);
    if (++perConnection_[p->origin] == coreLimits().abi.max_inflight) p->origin->setStoragePaused(true);
  }
  // In publish order: a publish already on its way to the backend when an earlier one of its
  // connection failed comes back after later ones were queued behind that one.
  auto pos = waiting_.end();
  while (pos != waiting_.begin() && (*std::prev(pos))->seq > p->seq) --pos;
  waiting_.insert(pos, p);
}

std::deque<PendingPublish*> PublishRetry::takeAll() {
  std::deque<PendingPublish*> out;
  out.swap(waiting_);
  return out;
}

void PublishRetry::finished(PendingPublish* p) {
  if (!p->retrying) return;
  p->retrying = false;
  metrics::add(waitingGauge(), -1);
  auto it = perConnection_.find(p->origin);
  if (it == perConnection_.end()) return;
  if (--it->second == 0) {
    perConnection_.erase(it);
    if (p->origin->alive()) p->origin->setStoragePaused(false);
  }
}

}  // namespace mqgw
