#include "worker.h"

#include "login.h"

namespace mqgw::bench {

namespace {
constexpr size_t kReadBuffer = 256 * 1024;
constexpr uint64_t kMs = 1000000ULL;
constexpr uint64_t kPingIdleNs = 30000 * kMs;  // half the 60 s keep-alive we announce
constexpr uint64_t kCloseGraceNs = 2000 * kMs;
}  // namespace

Worker::Worker(RunState& run, std::vector<ConnectionSpec> specs, const sockaddr_in& broker,
               const sockaddr_in& subBroker, uint32_t maxConnecting, std::string clientIdPrefix)
    : run_(run), broker_(broker), subBroker_(subBroker),
      maxConnecting_(maxConnecting < 1 ? 1 : maxConnecting),
      readBuf_(kReadBuffer), transports_(run.options) {
  conns_.reserve(specs.size());
  for (auto& s : specs) {
    const char* tag = s.role == Role::Publisher ? "p" : s.role == Role::Subscriber ? "s" : "i";
    Login login = makeLogin(run.options, clientIdPrefix + tag + std::to_string(s.index));
    conns_.push_back(std::make_unique<Connection>(*this, std::move(s), std::move(login)));
    if (conns_.back()->spec().role == Role::Publisher) publishers_.push_back(conns_.back().get());
  }
}

Worker::~Worker() { join(); }

void Worker::start() { thread_ = std::thread([this] { threadMain(); }); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::threadMain() {
  uv_loop_init(&loop_);
  uv_prepare_init(&loop_, &prepare_);
  prepare_.data = this;
  uv_prepare_start(&prepare_, onPrepare);
  uv_timer_init(&loop_, &timer_);
  timer_.data = this;
  uv_timer_start(&timer_, onTick, 0, 1);
  uv_run(&loop_, UV_RUN_DEFAULT);
  // A forced stop can leave handles open; close what is left so the loop can be released.
  uv_walk(&loop_, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

void Worker::onPrepare(uv_prepare_t* h) {
  Worker* w = static_cast<Worker*>(h->data);
  if (w->phase_ == Phase::Publishing) {
    uint64_t now = monoNs();
    for (Connection* p : w->publishers_) p->pump(now);
  }
  // Swap first: a flush may fail and close a connection, but never marks anything dirty.
  w->flushing_.swap(w->dirty_);
  for (Connection* c : w->flushing_) {
    c->dirty = false;
    c->flush();
  }
  w->flushing_.clear();
}

void Worker::onTick(uv_timer_t* h) { static_cast<Worker*>(h->data)->tick(); }

void Worker::tick() {
  Phase target = run_.phase.load(std::memory_order_acquire);
  if (!entered_) {
    entered_ = true;
    enterPhase(phase_);
  }
  while (phase_ < target) {
    phase_ = static_cast<Phase>(static_cast<int>(phase_) + 1);
    enterPhase(phase_);
  }
  uint64_t now = monoNs();
  if (now - lastProgressNs_ >= 50 * kMs) {
    lastProgressNs_ = now;
    reportProgress();
  }
  if (phase_ != Phase::Closing && now - lastPingSweepNs_ >= 1000 * kMs) {
    lastPingSweepNs_ = now;
    for (auto& c : conns_) c->sendPingIfIdle(now, kPingIdleNs);
  }
  if (phase_ == Phase::Closing && !finishing_ &&
      (open_ == 0 || now - closingSinceNs_ > kCloseGraceNs)) {
    finish();
  }
}

void Worker::enterPhase(Phase p) {
  switch (p) {
    case Phase::ConnectSubscribers:
      for (auto& c : conns_) {
        if (c->spec().role != Role::Publisher) toStart_.push_back(c.get());
      }
      startMore();
      break;
    case Phase::ConnectPublishers:
      for (Connection* c : publishers_) toStart_.push_back(c);
      startMore();
      break;
    case Phase::Publishing:
      break;
    case Phase::Draining:
      reportProgress();  // publishers no longer pump: sentMeasured is final from here on
      run_.workersDraining.fetch_add(1);
      break;
    case Phase::Closing:
      reportProgress();
      closingSinceNs_ = monoNs();
      toStart_.clear();
      for (auto& c : conns_) c->shutdown();
      break;
  }
}

void Worker::startMore() {
  while (connecting_ < maxConnecting_ && !toStart_.empty()) {
    Connection* c = toStart_.front();
    toStart_.pop_front();
    ++connecting_;
    ++open_;
    if (result_.firstStartNs == 0) result_.firstStartNs = monoNs();
    c->start(c->spec().role == Role::Subscriber ? subBroker_ : broker_);
  }
}

void Worker::onReady(Connection& c) {
  --connecting_;
  ++result_.ready;
  result_.lastReadyNs = monoNs();
  result_.connectLatency.record(c.connectLatencyNs());
  run_.ready.fetch_add(1, std::memory_order_relaxed);
  startMore();
}

void Worker::onFailed(Connection&, const char* why, bool wasReady) {
  if (result_.firstError.empty()) result_.firstError = why;
  if (wasReady) {
    ++result_.lost;
    return;
  }
  --connecting_;
  ++result_.failed;
  run_.failed.fetch_add(1, std::memory_order_relaxed);
  if (phase_ != Phase::Closing) startMore();
}

void Worker::onClosed(Connection&) { --open_; }

void Worker::reportProgress() {
  uint64_t sent = 0, unique = 0;
  for (auto& c : conns_) {
    sent += c->publisherCounts().sentMeasured;
    if (auto* d = c->deliveryCounts()) unique += d->unique;
  }
  run_.sentMeasured.fetch_add(sent - reportedSent_, std::memory_order_relaxed);
  run_.uniqueMeasured.fetch_add(unique - reportedUnique_, std::memory_order_relaxed);
  reportedSent_ = sent;
  reportedUnique_ = unique;
}

void Worker::finish() {
  finishing_ = true;
  if (open_ > 0) {
    uv_stop(&loop_);  // grace period over: threadMain closes what is left
    return;
  }
  uv_prepare_stop(&prepare_);
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
}

WorkerResult Worker::result() const {
  WorkerResult r = result_;
  for (auto& c : conns_) {
    const PublisherCounts& p = c->publisherCounts();
    r.published.sent += p.sent;
    r.published.sentMeasured += p.sentMeasured;
    r.published.acked += p.acked;
    r.published.windowResets += p.windowResets;
    if (auto* d = c->deliveryCounts()) r.delivered.add(*d);
  }
  return r;
}

}  // namespace mqgw::bench
