#include "gateway/storage_binding.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "gateway/publish_retry.h"
#include "loop/worker.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "router/router.h"

namespace mqgw {
namespace {

constexpr size_t kMaxFeedBatch = 65536;

void completeTask(void* arg);

bool retryable(int status) { return status == MQGW_E_UNAVAILABLE || status == MQGW_E_AGAIN; }

// The backend's completion: on any thread; hop to the publishing worker if needed.
void onAppended(void* arg, int status) {
  auto* p = static_cast<PendingPublish*>(arg);
  p->status = status;
  if (Worker::current() == p->worker) return completeTask(p);
  if (!p->worker->post(completeTask, p)) {
    // The worker is gone (shutdown): nobody is left to acknowledge to.
    message::unref(p->msg);
    delete p;  // the origin connection died with its worker
  }
}

void completeTask(void* arg) { Gateway::get().storage().complete(static_cast<PendingPublish*>(arg)); }

}  // namespace

StorageBinding::StorageBinding() = default;
StorageBinding::~StorageBinding() = default;

void StorageBinding::setWorkers(uint32_t n) {
  retries_.clear();
  for (uint32_t i = 0; i < n; ++i) retries_.push_back(std::make_unique<PublishRetry>());
}

void StorageBinding::complete(PendingPublish* p) {
  PublishRetry& retry = *retries_[p->worker->index()];
  if (retryable(p->status) && p->cookie && p->origin && p->origin->alive()) {
    retry.add(p);  // withheld: no acknowledgement until the backend takes it
    return;
  }
  retry.finished(p);
  if (p->status == MQGW_OK) {
    if (!p->feeds)
      p->worker->router().route(p->msg);
    else if (p->msg->view.retain && clustered())
      // The feed brings it back (and to every other node) a little later; a client that
      // subscribes right after this PUBACK must already see the new retained message.
      Router::retainEverywhere(p->msg);
  } else {
    metrics::add(metrics::core().storageErrors, 1);
  }
  if (p->cookie && p->origin) p->origin->publishDone(p->cookie, p->status);
  if (p->serverDone) p->serverDone(p->serverDoneArg, p->status);
  if (p->origin) p->origin->unref();
  message::unref(p->msg);
  delete p;
}

void StorageBinding::append(PendingPublish* p) {
  int rc = ops_->append(backend_, p->msg, onAppended, p);
  if (rc != MQGW_OK) {  // refused synchronously: the callback will not come
    p->status = rc;
    complete(p);
  }
}

int StorageBinding::publish(Connection* origin, mqgw_message* msg, uint64_t cookie) {
  Worker* w = Worker::current();
  if (!w || !ops_) return MQGW_E_UNAVAILABLE;
  message::ref(msg);
  if (origin) origin->ref();
  PublishRetry& retry = *retries_[w->index()];
  auto* p = new PendingPublish{w, origin, msg, cookie, MQGW_OK,
                               (caps_ & MQGW_CAP_STORAGE_FEEDS) != 0, false, retry.nextSeq()};
  metrics::add(metrics::core().messagesPublished, 1);
  if (cookie && origin && retry.holds(origin)) {
    retry.add(p);  // behind this connection's earlier publishes, which still wait
    return MQGW_OK;
  }
  append(p);
  return MQGW_OK;
}

int StorageBinding::publishFromServer(mqgw_message* msg, void (*done)(void*, int), void* arg) {
  Worker* w = Worker::current();
  if (!w || !ops_) return MQGW_E_UNAVAILABLE;
  message::ref(msg);
  PublishRetry& retry = *retries_[w->index()];
  auto* p = new PendingPublish{w, nullptr, msg, 0, MQGW_OK,
                               (caps_ & MQGW_CAP_STORAGE_FEEDS) != 0, false, retry.nextSeq()};
  p->serverDone = done;
  p->serverDoneArg = arg;
  metrics::add(metrics::core().messagesPublished, 1);
  append(p);
  return MQGW_OK;
}

void StorageBinding::retryWaiting() {
  Worker* w = Worker::current();
  if (!w || retries_.empty() || retries_[w->index()]->empty()) return;
  PublishRetry& retry = *retries_[w->index()];
  for (PendingPublish* p : retry.takeAll()) {
    p->status = MQGW_OK;
    if (!p->origin->alive()) {
      p->status = MQGW_E_CLOSED;  // the client will publish it again on its next connection
      complete(p);
      continue;
    }
    if (!retry.empty()) {  // an earlier one was refused again at once: the rest stay behind it
      retry.add(p);
      continue;
    }
    append(p);
  }
}

void StorageBinding::feed(mqgw_message* msg) {
  // A backend that feeds itself (the native writer thread, a Kafka consumer) calls from its own
  // thread: worker 0 owns the fan-out of fed messages, so every worker sees them in feed order.
  // Messages fed while worker 0 has not yet taken the previous batch join it: one post per
  // batch, not per message.
  if (Worker* w = Worker::current(); w && w->index() == 0) return w->router().route(msg);
  message::ref(msg);
  push({msg, 0, nullptr, MQGW_OK});
}

void StorageBinding::feedSession(uint64_t target, mqgw_message* msg) {
  message::ref(msg);
  push({msg, target, nullptr, MQGW_OK});
}

void StorageBinding::feedSessionDone(uint64_t target, int status) {
  push({nullptr, target, nullptr, status});
}

void StorageBinding::feedShared(mqgw_str group, mqgw_str filter, mqgw_message* msg) {
  message::ref(msg);
  auto key = std::make_unique<std::string>(group.ptr, group.len);
  key->push_back('\0');
  key->append(filter.ptr, filter.len);
  push({msg, 0, std::move(key), MQGW_OK});
}

void StorageBinding::push(Fed item) {
  bool post;
  {
    // Bounded: a backend that feeds faster than worker 0 routes (a replay, a Kafka catch-up)
    // waits here rather than growing the batch without limit.
    std::unique_lock lock(feedMu_);
    feedTaken_.wait(lock, [&] { return feedBatch_.size() < kMaxFeedBatch; });
    post = feedBatch_.empty();
    feedBatch_.push_back(std::move(item));
  }
  if (post && !Gateway::get().worker(0).post(routeFedBatch, this)) {
    std::lock_guard lock(feedMu_);
    for (auto& f : feedBatch_)
      if (f.msg) message::unref(f.msg);
    feedBatch_.clear();
  }
}

void StorageBinding::routeFedBatch(void* self) {
  auto* b = static_cast<StorageBinding*>(self);
  std::vector<Fed> batch;
  {
    std::lock_guard lock(b->feedMu_);
    batch.swap(b->feedBatch_);
  }
  b->feedTaken_.notify_all();
  Worker* w = Worker::current();  // null when a stopped worker's inbox is drained at exit
  for (auto& item : batch) {
    if (w) routeFed(w, item);
    if (item.msg) message::unref(item.msg);
  }
}

void StorageBinding::routeFed(Worker* w, Fed& item) {
  Router& r = w->router();
  if (item.share) {
    std::string_view key(*item.share);
    size_t cut = key.find('\0');
    return r.routeShared(key.substr(0, cut), key.substr(cut + 1), item.msg);
  }
  if (item.target) return Router::toReplayTarget(item.target, item.msg, item.status);
  r.route(item.msg);
}

void StorageBinding::putSession(const std::string& clientId, const std::vector<uint8_t>& state) {
  int rc = ops_->session_put(backend_, {clientId.data(), clientId.size()}, state.data(),
                             state.size());
  if (rc != MQGW_OK) spdlog::warn("storage '{}': session_put failed: {}", name_, rc);
}

void StorageBinding::deleteSession(const std::string& clientId) {
  int rc = ops_->session_delete(backend_, {clientId.data(), clientId.size()});
  if (rc != MQGW_OK) spdlog::warn("storage '{}': session_delete failed: {}", name_, rc);
}

void StorageBinding::initFloors(uint32_t workers, const std::vector<mqgw_position>& floors) {
  std::lock_guard lock(floorMu_);
  floors_.assign(workers, floors);
}

void StorageBinding::putCursors(uint32_t worker, const std::vector<mqgw_cursor>& rows,
                                const std::vector<mqgw_position>& workerFloor) {
  std::vector<mqgw_position> node;
  {
    std::lock_guard lock(floorMu_);
    if (worker >= floors_.size()) floors_.resize(worker + 1);
    // Per partition, the smallest floor of any worker; a worker that has not seen a partition
    // holds it at 0.
    for (const auto& mine : floors_)
      for (const mqgw_position& p : mine) {
        auto it = std::find_if(node.begin(), node.end(),
                               [&](const mqgw_position& n) { return n.partition == p.partition; });
        if (it == node.end()) node.push_back(p);
      }
    for (mqgw_position& n : node)
      for (const auto& mine : floors_) {
        auto it = std::find_if(mine.begin(), mine.end(),
                               [&](const mqgw_position& p) { return p.partition == n.partition; });
        n.offset = std::min<uint64_t>(n.offset, it == mine.end() ? 0 : it->offset);
      }
  }
  int rc = ops_->cursors_put(backend_, rows.data(), static_cast<uint32_t>(rows.size()),
                             node.data(), static_cast<uint32_t>(node.size()));
  if (rc != MQGW_OK) spdlog::warn("storage '{}': cursors_put failed: {}", name_, rc);
  std::lock_guard lock(floorMu_);
  floors_[worker] = workerFloor;
}

void StorageBinding::healthChanged(int health) {
  int before = health_.exchange(health);
  if (before == health) return;
  metrics::add(metrics::core().storageUnavailable,
               (health == MQGW_HEALTH_UNAVAILABLE) - (before == MQGW_HEALTH_UNAVAILABLE));
  if (health == MQGW_HEALTH_UNAVAILABLE)
    spdlog::error("storage '{}' is unavailable: QoS 1/2 publishes wait for it", name_);
  else if (before == MQGW_HEALTH_UNAVAILABLE)
    spdlog::info("storage '{}' is available again", name_);
}

}  // namespace mqgw
