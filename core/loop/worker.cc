#include "loop/worker.h"

#include <spdlog/spdlog.h>

#include "gateway/gateway.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "router/router.h"

namespace mqgw {
namespace {

thread_local Worker* tCurrent = nullptr;
constexpr uint64_t kSweepMs = 250;  // idle-timeout resolution

struct ForwardBatch {
  Worker* to;
  std::vector<mqgw_message*> msgs;
};

void deliverBatch(void* arg) {
  auto* b = static_cast<ForwardBatch*>(arg);
  for (mqgw_message* m : b->msgs) {
    b->to->router().routeLocal(m);
    message::unref(m);
  }
  delete b;
}

}  // namespace

Worker::Worker(uint32_t index, uint32_t workerCount)
    : index_(index),
      readBuffer_(new uint8_t[kReadBufferSize]),
      router_(std::make_unique<Router>(*this)),
      outboxes_(workerCount) {
  uv_loop_init(&loop_);
  loop_.data = this;  // lets a connection find its worker without storing a pointer
  uv_async_init(&loop_, &async_, onAsync);
  async_.data = this;
  tasks_.bind(&async_);
  uv_check_init(&loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, onCheck);
  uv_unref(reinterpret_cast<uv_handle_t*>(&check_));
  uv_timer_init(&loop_, &sweep_);
  sweep_.data = this;
  uv_timer_start(&sweep_, onSweep, kSweepMs, kSweepMs);
  uv_unref(reinterpret_cast<uv_handle_t*>(&sweep_));
}

Worker::~Worker() {
  join();
  // Drop undelivered forwards, then close the remaining handles so uv_loop_close succeeds.
  for (auto& box : outboxes_)
    for (auto* m : box) message::unref(m);
  tasks_.close();
  tasks_.drain();
  auto closeIfOpen = [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  };
  uv_walk(&loop_, closeIfOpen, nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop_) != 0) spdlog::warn("worker {}: loop closed with live handles", index_);
}

Worker* Worker::current() { return tCurrent; }

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

void Worker::run() {
  tCurrent = this;
  uv_run(&loop_, UV_RUN_DEFAULT);
  router_->flushCursors();  // a clean stop leaves cursors exact: no duplicates after a restart
  tCurrent = nullptr;
  finished_.store(true, std::memory_order_release);
}

bool Worker::post(void (*fn)(void*), void* arg) { return tasks_.push({fn, arg}); }

void Worker::requestStop() { post(onStopTask, this); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::onStopTask(void* self) {
  auto* w = static_cast<Worker*>(self);
  w->stopping_ = true;
  w->closeAll();
  // The loop ends once the last connection handle is closed: async/check/sweep are unref'd.
  uv_unref(reinterpret_cast<uv_handle_t*>(&w->async_));
}

void Worker::closeAll() {
  for (Connection* c = connections_; c;) {
    Connection* next = c->next;
    c->kick(MQGW_CLOSE_SHUTDOWN);
    c = next;
  }
}

void Worker::onAsync(uv_async_t* h) {
  auto* w = static_cast<Worker*>(h->data);
  size_t n = w->tasks_.drain();
  metrics::add(metrics::core().loopTasks, static_cast<int64_t>(n));
}

void Worker::onCheck(uv_check_t* h) {
  auto* w = static_cast<Worker*>(h->data);
  w->flushForwards();
  w->flushDirty();
}

void Worker::onSweep(uv_timer_t* h) {
  auto* w = static_cast<Worker*>(h->data);
  uint64_t now = w->now();
  for (Connection* c = w->connections_; c;) {
    Connection* next = c->next;  // checkIdle may unlink c only asynchronously (uv_close)
    c->checkIdle(now);
    c = next;
  }
  w->router().sweepSessions();
  w->router().flushCursors();
  Gateway::get().storage().retryWaiting();
}

void Worker::addConnection(Connection* c) {
  c->prev = nullptr;
  c->next = connections_;
  if (connections_) connections_->prev = c;
  connections_ = c;
  ++connectionCount_;
}

void Worker::removeConnection(Connection* c) {
  if (c->prev) c->prev->next = c->next;
  else connections_ = c->next;
  if (c->next) c->next->prev = c->prev;
  c->prev = c->next = nullptr;
  --connectionCount_;
}

void Worker::markDirty(Connection* c) {
  if (c->dirty) return;
  c->dirty = true;
  c->ref();
  dirty_.push_back(c);
}

void Worker::flushDirty() {
  // A flush can make more connections dirty (close paths); loop until quiet.
  while (!dirty_.empty()) {
    flushing_.swap(dirty_);
    for (Connection* c : flushing_) {
      c->flush();
      c->unref();
    }
    flushing_.clear();
  }
}

void Worker::forward(uint32_t to, mqgw_message* msg) { outboxes_[to].push_back(msg); }

void Worker::flushForwardsNow() { flushForwards(); }

void Worker::flushForwards() {
  for (uint32_t to = 0; to < outboxes_.size(); ++to) {
    auto& box = outboxes_[to];
    if (box.empty()) continue;
    Worker* dest = router_->peer(to);
    auto* batch = new ForwardBatch{dest, {}};
    batch->msgs.swap(box);
    metrics::add(metrics::core().messagesForwarded, static_cast<int64_t>(batch->msgs.size()));
    if (!dest->post(deliverBatch, batch)) {
      for (auto* m : batch->msgs) message::unref(m);
      delete batch;
    }
  }
}

}  // namespace mqgw
