#include "amqp_feed.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "amqp_connection.h"
#include "amqp_inbound.h"
#include "amqp_log_reader.h"
#include "amqp_publisher.h"

namespace mqgw::amqp {
namespace {

constexpr const char* kName = "amqp";
constexpr int kPollMs = 200;  // stop() waits about this long for a reader; idle acks go out
constexpr auto kGiveUpAfter = std::chrono::seconds(30);  // replays without progress
constexpr auto kNever = std::chrono::hours(24 * 365 * 100);

using Clock = std::chrono::steady_clock;

}  // namespace

struct Feed::Impl {
  struct Job {
    uint64_t from = 0, to = 0;
    bool empty = true;  // partition 0 not named: nothing to feed
    uint64_t target = 0;
    mqgw_done_cb done = nullptr;
    void* arg = nullptr;
  };

  Impl(const mqgw_host_api* h, const Settings& s, Publisher& p)
      : host(h), settings(s), publisher(p) {
    fedMetric = host->metric_register("mqgw_storage_amqp_fed_total",
                                      "Messages fed to the core from the log stream", 0);
    foreignMetric = host->metric_register(
        "mqgw_storage_amqp_foreign_total",
        "Log stream messages skipped because they are neither MQTT nor from an instance exchange",
        0);
    reconnectsMetric = host->metric_register(
        "mqgw_storage_amqp_feed_reconnects_total",
        "Connections of the feed to RabbitMQ lost and made again", 0);
  }

  mqgw_message* messageOf(const Delivery& d, bool countForeign);
  void feed(const Delivery& d, uint64_t offset);
  int readUntil(LogReader& r, const OnMessage& fn, const std::function<bool()>& done,
                Clock::duration giveUp, bool extendOnProgress, bool isFeed);
  void sleepUnlessStopping(int ms, Clock::time_point deadline);
  void runSessions();
  int serve(const Job& job);

  const mqgw_host_api* host;
  Settings settings;
  Publisher& publisher;
  std::atomic<bool> stopping{false};
  std::unique_ptr<LogReader> reader;  // the feed's; the feed thread's once replay returned
  std::thread feeder;
  std::atomic<uint64_t> liveStart{0};
  std::mutex mu;
  std::condition_variable wake;
  std::deque<Job> jobs;      // mu
  bool sessionsStopped = false;  // mu
  std::thread sessions;      // started by the first replaySession
  uint32_t fedMetric = 0, foreignMetric = 0, reconnectsMetric = 0;
};

// The MQTT message of a delivery (amqp_inbound.h); nullptr for anything else, counted once,
// by the feed.
mqgw_message* Feed::Impl::messageOf(const Delivery& d, bool countForeign) {
  mqgw_message* msg = inboundMessage(host, settings, d);
  if (!msg && countForeign) host->metric_add(foreignMetric, 1);
  return msg;
}

void Feed::Impl::feed(const Delivery& d, uint64_t offset) {
  mqgw_message* msg = messageOf(d, true);
  if (!msg) return;
  host->message_set_position(msg, {0, offset});
  host->storage_feed(msg);  // blocks while the core is 64 Ki messages behind: our backpressure
  host->message_unref(msg);
  host->metric_add(fedMetric, 1);
}

// Reads until done(); a lost connection is made again with backoff. MQGW_E_UNAVAILABLE on stop
// or when giveUp passed without a delivery (extendOnProgress) or at all.
int Feed::Impl::readUntil(LogReader& r, const OnMessage& fn, const std::function<bool()>& done,
                          Clock::duration giveUp, bool extendOnProgress, bool isFeed) {
  auto deadline = Clock::now() + giveUp;
  int attempt = 0;
  bool lost = false;
  while (!done()) {
    if (stopping.load()) return MQGW_E_UNAVAILABLE;
    if (Clock::now() > deadline) return MQGW_E_UNAVAILABLE;
    if (!r.isOpen()) {
      std::string why;
      if (!r.connect(&why)) {
        if (attempt == 0 && isFeed)
          host->log(MQGW_LOG_WARN, kName, "feed: cannot consume the log stream: %s",
                    why.c_str());
        sleepUnlessStopping(backoffMs(settings, attempt++), deadline);
        continue;
      }
      if (lost && isFeed)
        host->log(MQGW_LOG_INFO, kName, "feed: consuming the log again at offset %llu",
                  static_cast<unsigned long long>(r.next().value_or(0)));
      attempt = 0;
      lost = false;
    }
    switch (r.poll(kPollMs, fn)) {
      case Wait::kReady:
        if (extendOnProgress) deadline = Clock::now() + giveUp;
        break;
      case Wait::kTimeout:
        break;
      case Wait::kClosed:
        if (isFeed) {
          host->metric_add(reconnectsMetric, 1);
          host->log(MQGW_LOG_WARN, kName, "feed: lost RabbitMQ (%s); reconnecting",
                    r.lastError().c_str());
        }
        r.close();
        lost = true;
        break;
    }
  }
  return MQGW_OK;
}

// Sleeps ms, but not past deadline nor stop.
void Feed::Impl::sleepUnlessStopping(int ms, Clock::time_point deadline) {
  auto until = std::min(Clock::now() + std::chrono::milliseconds(ms), deadline);
  while (!stopping.load() && Clock::now() < until)
    std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(50),
                                                          until - Clock::now()));
}

void Feed::Impl::runSessions() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu);
      wake.wait(lock, [&] { return sessionsStopped || !jobs.empty(); });
      if (sessionsStopped) return;  // stop() fails what is left
      job = jobs.front();
      jobs.pop_front();
    }
    job.done(job.arg, serve(job));
  }
}

// One session replay on a Connection of its own: [from, to) — never past the log's end, which
// a marker shows should the range reach beyond what the stream holds.
int Feed::Impl::serve(const Job& job) {
  uint64_t end = job.to == UINT64_MAX ? liveStart.load() : job.to;
  if (job.empty || job.from >= end) return MQGW_OK;
  LogReader r(settings, publisher, "session replay", offsetSpec(job.from));
  r.awaitMarker(/*eager=*/false);
  auto fn = [&](const Delivery& d, uint64_t offset) {
    if (offset >= end) return;
    mqgw_message* msg = messageOf(d, false);
    if (!msg) return;
    host->message_set_position(msg, {0, offset});
    host->storage_feed_session(job.target, msg);
    host->message_unref(msg);
  };
  auto done = [&] { return r.next().value_or(0) >= end || r.markerOffset().has_value(); };
  int rc = readUntil(r, fn, done, kGiveUpAfter, true, false);
  if (rc != MQGW_OK && !stopping.load())
    host->log(MQGW_LOG_WARN, kName, "session replay: no progress for %lld s; giving up",
              static_cast<long long>(kGiveUpAfter.count()));
  return rc;
}

Feed::Feed(const mqgw_host_api* host, const Settings& settings, Publisher& publisher)
    : impl_(std::make_unique<Impl>(host, settings, publisher)) {}

Feed::~Feed() { stop(); }

bool Feed::endOffset(uint64_t* out, int timeoutMs) {
  Impl& d = *impl_;
  LogReader r(d.settings, d.publisher, "end", "next");
  r.awaitMarker(/*eager=*/true);
  auto ignore = [](const Delivery&, uint64_t) {};
  auto seen = [&] { return r.markerOffset().has_value(); };
  if (d.readUntil(r, ignore, seen, std::chrono::milliseconds(timeoutMs), false, false) !=
      MQGW_OK)
    return false;
  *out = *r.markerOffset();
  return true;
}

int Feed::replay(const mqgw_position* from, uint32_t n) {
  Impl& d = *impl_;
  if ((n > 0 && !from) || d.reader) return MQGW_E_INVAL;
  if (d.stopping.load()) return MQGW_E_UNAVAILABLE;
  std::string start = "first";
  for (uint32_t i = 0; i < n; ++i)
    if (from[i].partition == 0) start = offsetSpec(from[i].offset);
  d.reader = std::make_unique<LogReader>(d.settings, d.publisher, "feed", start);
  LogReader& r = *d.reader;
  r.awaitMarker(/*eager=*/true);
  uint64_t fedBefore = 0;
  auto feed = [&](const Delivery& del, uint64_t offset) {
    d.feed(del, offset);
    ++fedBefore;
  };
  auto seen = [&] { return r.markerOffset().has_value(); };
  if (int rc = d.readUntil(r, feed, seen, kGiveUpAfter, true, true); rc != MQGW_OK) {
    d.host->log(MQGW_LOG_ERROR, kName, "replay: the log stream's end not reached (%s)",
                d.stopping.load() ? "stopping" : "RabbitMQ unavailable");
    d.reader.reset();
    return rc;
  }
  // The marker is never fed: replay fed what lies below it, the live feed feeds what follows.
  d.liveStart.store(*r.markerOffset());
  if (start != "first" && std::stoull(start) > *r.markerOffset())
    d.host->log(MQGW_LOG_WARN, kName, "replay: asked from offset %s, past the log's end %llu "
                "(the stream was made again?): feeding from its end", start.c_str(),
                static_cast<unsigned long long>(*r.markerOffset()));
  d.host->log(MQGW_LOG_INFO, kName, "replay fed %llu messages from %s; live from offset %llu",
              static_cast<unsigned long long>(fedBefore), start.c_str(),
              static_cast<unsigned long long>(*r.markerOffset()));
  d.feeder = std::thread([&d] {
    auto feed = [&d](const Delivery& del, uint64_t offset) { d.feed(del, offset); };
    d.readUntil(*d.reader, feed, [] { return false; }, kNever, true, true);
    d.reader->close();
  });
  return MQGW_OK;
}

uint64_t Feed::liveStart() const { return impl_->liveStart.load(); }

int Feed::replaySession(const mqgw_position* from, const mqgw_position* to, uint32_t n,
                        uint64_t target, mqgw_done_cb done, void* arg) {
  Impl& d = *impl_;
  if (!done || (n > 0 && (!from || !to))) return MQGW_E_INVAL;
  Impl::Job job{0, 0, true, target, done, arg};
  for (uint32_t i = 0; i < n; ++i) {
    if (from[i].partition != to[i].partition) return MQGW_E_INVAL;
    if (from[i].partition != 0) continue;  // the log has one partition
    job.from = from[i].offset;
    job.to = to[i].offset;
    job.empty = false;
  }
  std::lock_guard lock(d.mu);
  if (d.sessionsStopped || d.stopping.load()) return MQGW_E_UNAVAILABLE;
  d.jobs.push_back(job);
  if (!d.sessions.joinable()) d.sessions = std::thread([&d] { d.runSessions(); });
  d.wake.notify_one();
  return MQGW_OK;
}

void Feed::stop() {
  Impl& d = *impl_;
  d.stopping.store(true);
  if (d.feeder.joinable()) d.feeder.join();
  d.reader.reset();
  {
    std::lock_guard lock(d.mu);
    if (d.sessionsStopped) return;
    d.sessionsStopped = true;
  }
  d.wake.notify_one();
  if (d.sessions.joinable()) d.sessions.join();
  for (Impl::Job& job : d.jobs) job.done(job.arg, MQGW_E_UNAVAILABLE);
  d.jobs.clear();
}

}  // namespace mqgw::amqp
