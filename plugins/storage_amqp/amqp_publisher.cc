#include "amqp_publisher.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "amqp_names.h"

namespace mqgw::amqp {
namespace {

constexpr const char* kLog = "amqp";
constexpr auto kIdleTick = std::chrono::milliseconds(200);  // heartbeats while nothing to do
constexpr int kConfirmWaitMs = 5;     // then look for new appends again
constexpr auto kStopGrace = std::chrono::seconds(5);

using Clock = std::chrono::steady_clock;

// A record of the backend's own, for the default exchange.
struct Record {
  std::string queue;
  OutgoingMessage message;
};

// What append/publishTo queued: a message (we hold a reference) or a record.
struct Item {
  mqgw_message* msg = nullptr;
  std::unique_ptr<Record> record;
  mqgw_append_cb cb = nullptr;
  void* arg = nullptr;
};

// A published message waiting for its confirm. Tags never decrease along the deque (an
// append refused at publish time sits in order with the tag before it, already done).
struct Inflight {
  uint64_t tag = 0;
  bool confirmable = true;
  bool done = false;
  int status = MQGW_OK;
  mqgw_append_cb cb = nullptr;
  void* arg = nullptr;
};

struct Completion {
  mqgw_append_cb cb;
  void* arg;
  int status;
};

}  // namespace

struct Publisher::Impl {
  Impl(Publisher& o, const mqgw_host_api* h, const Settings& s)
      : owner(o),
        host(h),
        settings(s),
        logStream(stateName(s, "log")),
        conn(s.endpoint, "mqgw " + s.nodeId + " publisher") {
    published = host->metric_register("mqgw_storage_amqp_published_total",
                                      "Messages and records sent to RabbitMQ", 0);
    confirmed = host->metric_register("mqgw_storage_amqp_confirmed_total",
                                      "Messages and records RabbitMQ confirmed", 0);
    failed = host->metric_register("mqgw_storage_amqp_failed_total",
                                   "Appends that failed (nacked, connection lost, too large)", 0);
    reconnects = host->metric_register("mqgw_storage_amqp_reconnects_total",
                                       "Publisher connections made after the first", 0);
  }

  int enqueue(Item item, size_t limit);
  void run();
  bool connect(int attempt);
  bool serve();  // false: connection lost; true: stopped
  bool publishBatch();
  bool publishOne(Item& item);
  bool ensureExchange(const std::string& exchange);
  bool readConfirms(int waitMs);
  void applyConfirm(const Confirm& c);
  void completeDone();
  void failAll();
  void finish(std::vector<Completion>& done);
  void setHealth(int health);
  bool stopDue();

  Publisher& owner;
  const mqgw_host_api* host;
  const Settings settings;
  const std::string logStream;

  std::mutex mu;
  std::condition_variable wake;       // the thread, when idle or backing off
  std::condition_variable firstTry;   // start(), after the first connection attempt
  std::vector<Item> queue;            // guarded
  size_t pending = 0;                 // queued + in flight, guarded
  bool accepting = false, connected = false, idle = false, stopping = false;  // guarded
  bool tried = false;                 // guarded: the first connection attempt is over
  Clock::time_point stopDeadline;     // guarded, set with stopping
  std::thread thread;

  // the thread's own
  Connection conn;
  std::vector<Item> batch;
  std::deque<Inflight> inflight;
  std::vector<Completion> completions;
  std::unordered_set<std::string> exchanges;  // declared on this connection
  uint64_t lastTag = 0;
  bool warned = false;  // this outage's first failed attempt was logged
  uint32_t published, confirmed, failed, reconnects;
};

// ---- the caller's side ----

Publisher::Publisher(const mqgw_host_api* host, const Settings& settings)
    : impl_(std::make_unique<Impl>(*this, host, settings)) {}

Publisher::~Publisher() { stop(); }

int Publisher::start() {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    if (d.thread.joinable()) return d.connected ? MQGW_OK : MQGW_E_UNAVAILABLE;
    d.accepting = true;
  }
  d.thread = std::thread([&d] { d.run(); });
  std::unique_lock lock(d.mu);
  // the first attempt is bounded by its own timeouts; this only guards against a stuck one
  auto bound = std::chrono::milliseconds(3 * d.settings.endpoint.connectTimeoutMs) +
               std::chrono::seconds(15);
  d.firstTry.wait_for(lock, bound, [&d] { return d.tried; });
  return d.connected ? MQGW_OK : MQGW_E_UNAVAILABLE;
}

void Publisher::stop() {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    if (d.stopping || !d.thread.joinable()) {
      d.accepting = false;
      return;
    }
    d.accepting = false;
    d.stopping = true;
    d.stopDeadline = Clock::now() + kStopGrace;
  }
  d.wake.notify_one();
  d.thread.join();
}

int Publisher::append(mqgw_message* msg, mqgw_append_cb cb, void* arg) {
  return impl_->enqueue(Item{msg, nullptr, cb, arg}, impl_->settings.maxPending);
}

int Publisher::publishTo(const std::string& queue, OutgoingMessage msg, mqgw_append_cb cb,
                         void* arg) {
  auto record = std::unique_ptr<Record>(new (std::nothrow) Record{queue, std::move(msg)});
  if (!record) return MQGW_E_NOMEM;
  // The backend's own records (claims, cursors, markers) get a reserve above max_pending so
  // a saturated data path cannot starve them.
  size_t limit = impl_->settings.maxPending + impl_->settings.maxPending / 4 + 64;
  return impl_->enqueue(Item{nullptr, std::move(record), cb, arg}, limit);
}

int Publisher::Impl::enqueue(Item item, size_t limit) {
  bool wakeThread = false;
  {
    std::lock_guard lock(mu);
    if (!accepting || !connected) return MQGW_E_UNAVAILABLE;
    if (pending >= limit) return MQGW_E_AGAIN;
    if (item.msg) host->message_ref(item.msg);
    queue.push_back(std::move(item));
    ++pending;
    wakeThread = idle;  // a busy thread looks at the queue anyway: no syscall per append
    idle = false;
  }
  if (wakeThread) wake.notify_one();
  return MQGW_OK;
}

// ---- the publisher thread ----

void Publisher::Impl::run() {
  bool first = true;
  for (int attempt = 0;;) {
    bool up = connect(attempt);
    {
      std::lock_guard lock(mu);
      connected = up;
      if (first) tried = true;
    }
    if (first) firstTry.notify_all();
    if (up) {
      if (!first) host->metric_add(reconnects, 1);
      if (attempt > 0) host->log(MQGW_LOG_INFO, kLog, "publisher connected to RabbitMQ again");
      attempt = 0;
      setHealth(MQGW_HEALTH_READY);
      if (serve()) break;  // stopped
      host->log(MQGW_LOG_WARN, kLog, "publisher lost RabbitMQ: %s", conn.lastError().c_str());
    } else if (first) {
      setHealth(MQGW_HEALTH_UNAVAILABLE);
      // the core assumes READY until told otherwise: report the first outcome even unchanged
      host->storage_health_changed(MQGW_HEALTH_UNAVAILABLE);
    }
    first = false;
    failAll();
    setHealth(MQGW_HEALTH_UNAVAILABLE);
    std::unique_lock lock(mu);
    if (stopping) break;
    wake.wait_for(lock, std::chrono::milliseconds(backoffMs(settings, attempt++)),
                  [this] { return stopping; });
    if (stopping) break;
  }
  failAll();
  conn.close();
}

bool Publisher::Impl::connect(int attempt) {
  std::string why;
  bool ok = conn.open(&why) && conn.selectConfirms(&why) &&
            (!owner.onConnected || owner.onConnected(conn, &why));
  if (ok && conn.isOpen()) {
    exchanges.clear();
    lastTag = 0;
    warned = false;
    return true;
  }
  if (why.empty()) why = conn.lastError();
  conn.close();
  // the first failure of an outage is worth a warning; the retries that follow are not
  host->log(warned ? MQGW_LOG_DEBUG : MQGW_LOG_WARN, kLog,
            "publisher cannot use RabbitMQ at %s (attempt %d): %s",
            redactedUrl(settings.url).c_str(), attempt + 1, why.c_str());
  warned = true;
  return false;
}

bool Publisher::Impl::stopDue() {
  std::lock_guard lock(mu);
  return stopping && (Clock::now() >= stopDeadline || (queue.empty() && inflight.empty()));
}

// Publishes whatever is queued in one go, reads confirms, repeats. Idle: waits for an append
// (200 ms at most, to answer heartbeats and notice a closed connection).
bool Publisher::Impl::serve() {
  for (;;) {
    {
      std::unique_lock lock(mu);
      if (queue.empty() && inflight.empty()) {
        if (stopping) return true;
        idle = true;
        wake.wait_for(lock, kIdleTick, [this] { return !queue.empty() || stopping; });
        idle = false;
      }
      batch.swap(queue);
    }
    bool hadBatch = !batch.empty();
    if (hadBatch && !publishBatch()) return false;
    if (!readConfirms(hadBatch || inflight.empty() ? 0 : kConfirmWaitMs)) return false;
    if (stopDue()) return true;
  }
}

bool Publisher::Impl::publishBatch() {
  const uint64_t before = lastTag;
  bool ok = true;
  for (Item& item : batch)
    if (!(ok = publishOne(item))) break;  // failAll settles the rest of the batch
  host->metric_add(published, static_cast<int64_t>(lastTag - before));
  if (!ok) return false;
  batch.clear();
  return conn.flush();
}

// False only when the connection is gone; the item then stays in the batch for failAll.
bool Publisher::Impl::publishOne(Item& item) {
  Inflight f{lastTag, true, false, MQGW_OK, item.cb, item.arg};
  OutgoingMessage encoded;
  const std::string* exchange = nullptr;
  const std::string* key = nullptr;
  Route route;
  if (item.msg) {
    const mqgw_message_view* v = host->message_view(item.msg);
    if (!routeOf(settings, std::string_view(v->topic.ptr, v->topic.len), &route)) {
      f = Inflight{lastTag, false, true, MQGW_E_TOO_LARGE, item.cb, item.arg};
    } else {
      if (!ensureExchange(route.exchange)) return false;
      encodeMessage(host, item.msg, &encoded);
      exchange = &route.exchange;
      key = &route.routingKey;
    }
  } else {
    static const std::string kDefaultExchange;
    exchange = &kDefaultExchange;
    key = &item.record->queue;
  }
  if (exchange) {
    OutgoingMessage& m = item.msg ? encoded : item.record->message;
    if (!conn.publish(*exchange, *key, m.properties(), m.body(), &f.tag)) {
      if (!conn.isOpen()) return false;
      f = Inflight{lastTag, false, true, MQGW_E_TOO_LARGE, item.cb, item.arg};  // name > 255
    } else {
      lastTag = f.tag;
    }
  }
  if (item.msg) host->message_unref(item.msg);
  item.msg = nullptr;
  item.record.reset();
  item.cb = nullptr;
  inflight.push_back(f);
  return true;
}

bool Publisher::Impl::ensureExchange(const std::string& exchange) {
  if (exchanges.count(exchange)) return true;
  std::string why;
  if (!conn.declareExchange(exchange, &why) || !conn.bind(logStream, exchange, "#", &why)) {
    host->log(MQGW_LOG_ERROR, kLog, "cannot prepare exchange %s: %s", exchange.c_str(),
              why.c_str());
    return false;
  }
  exchanges.insert(exchange);
  return true;
}

bool Publisher::Impl::readConfirms(int waitMs) {
  Confirm c;
  Wait w = conn.nextConfirm(waitMs, &c);
  for (; w == Wait::kReady; w = conn.nextConfirm(0, &c)) applyConfirm(c);
  completeDone();
  return w != Wait::kClosed;
}

void Publisher::Impl::applyConfirm(const Confirm& c) {
  const int status = c.ack ? MQGW_OK : MQGW_E_UNAVAILABLE;  // a nack: the core retries
  auto settle = [&](Inflight& f) {
    if (!f.confirmable || f.done) return;
    f.done = true;
    f.status = status;
  };
  if (c.multiple) {
    for (Inflight& f : inflight) {
      if (f.tag > c.tag) break;
      settle(f);
    }
    return;
  }
  auto it = std::lower_bound(inflight.begin(), inflight.end(), c.tag,
                             [](const Inflight& f, uint64_t tag) { return f.tag < tag; });
  for (; it != inflight.end() && it->tag == c.tag; ++it) settle(*it);
}

// Completes, in tag order, every append at the front whose confirm arrived.
void Publisher::Impl::completeDone() {
  completions.clear();
  while (!inflight.empty() && inflight.front().done) {
    const Inflight& f = inflight.front();
    completions.push_back({f.cb, f.arg, f.status});
    inflight.pop_front();
  }
  finish(completions);
}

// Settles everything this thread holds and everything queued: what RabbitMQ confirmed with
// its status, the rest MQGW_E_UNAVAILABLE (the core retries it).
void Publisher::Impl::failAll() {
  completions.clear();
  for (const Inflight& f : inflight)
    completions.push_back({f.cb, f.arg, f.done ? f.status : MQGW_E_UNAVAILABLE});
  inflight.clear();
  std::vector<Item> queued;
  {
    std::lock_guard lock(mu);
    connected = false;
    queued.swap(queue);
  }
  for (std::vector<Item>* items : {&batch, &queued}) {
    for (Item& item : *items) {
      if (!item.cb) continue;  // published already: it is in inflight
      if (item.msg) host->message_unref(item.msg);
      completions.push_back({item.cb, item.arg, MQGW_E_UNAVAILABLE});
    }
    items->clear();
  }
  finish(completions);
}

void Publisher::Impl::finish(std::vector<Completion>& done) {
  if (done.empty()) return;
  int64_t ok = 0;
  for (const Completion& c : done) ok += c.status == MQGW_OK;
  {
    std::lock_guard lock(mu);
    pending -= std::min(pending, done.size());
  }
  host->metric_add(confirmed, ok);
  host->metric_add(failed, static_cast<int64_t>(done.size()) - ok);
  for (const Completion& c : done) c.cb(c.arg, c.status);
  done.clear();
}

void Publisher::Impl::setHealth(int health) {
  if (owner.health_.exchange(health) != health) host->storage_health_changed(health);
}

}  // namespace mqgw::amqp
