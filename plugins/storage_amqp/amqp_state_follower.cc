#include "amqp_state_follower.h"

#include <chrono>
#include <random>
#include <utility>

#include "amqp_state_record.h"

namespace mqgw::amqp {
namespace {

constexpr const char* kLog = "amqp";
constexpr int kWaitMs = 100;       // between looks at pending markers and stop
constexpr uint64_t kAckEvery = 64;  // deliveries acknowledged together (acks only give credit)
constexpr int kProbeMs = 10000;     // a reconnect's look at the stream's end

}  // namespace

StreamFollower::StreamFollower(const mqgw_host_api* host, const Settings& settings,
                               std::string stream, std::string startAt, std::string purpose,
                               OnRecord onRecord)
    : host_(host),
      settings_(settings),
      stream_(std::move(stream)),
      startAt_(std::move(startAt)),
      purpose_(std::move(purpose)),
      onRecord_(std::move(onRecord)),
      markerPrefix_(settings.nodeId + "/" + purpose_ + "/" +
                    std::to_string(std::random_device{}()) + "-" +
                    std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
                    "/") {}

StreamFollower::~StreamFollower() { stop(); }

bool StreamFollower::start(int timeoutMs) {
  if (thread_.joinable()) return false;
  stopping_.store(false);
  thread_ = std::thread([this] { run(); });
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [&] { return registered_ || stopping_.load(); }) &&
         registered_;
}

void StreamFollower::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_.store(true);
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool StreamFollower::sync(int timeoutMs) {
  std::unique_lock lock(mu_);
  if (!thread_.joinable() || stopping_.load()) return false;
  const std::string id = markerPrefix_ + std::to_string(++markerSeq_);
  markers_[id] = Marker{};
  bool read = changed_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] {
    return markers_[id].read || stopping_.load();
  });
  read = read && markers_[id].read;
  markers_.erase(id);
  return read;
}

void StreamFollower::sleepFor(int ms) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
}

void StreamFollower::run() {
  Connection c(settings_.endpoint, "mqgw " + settings_.nodeId + " " + purpose_);
  int attempt = 0;
  while (!stopping_.load()) {
    if (!connect(c, attempt)) {
      sleepFor(backoffMs(settings_, attempt++));
      continue;
    }
    if (attempt > 0)
      host_->log(MQGW_LOG_INFO, kLog, "%s: following %s again from %s", purpose_.c_str(),
                 stream_.c_str(), resumeFrom().c_str());
    attempt = 0;
    follow(c);
    c.close();
    if (stopping_.load()) break;
    host_->log(MQGW_LOG_WARN, kLog, "%s: lost the connection to RabbitMQ (%s); reconnecting",
               purpose_.c_str(), c.lastError().c_str());
    sleepFor(backoffMs(settings_, attempt++));
  }
}

std::string StreamFollower::resumeFrom() const {
  if (next_ >= 0) return std::to_string(next_);
  return restartedFromFirst_ ? "first" : startAt_;
}

bool StreamFollower::connect(Connection& c, int attempt) {
  std::string why, tag;
  // RabbitMQ waits for an offset past a stream's end: a stream deleted and made again (its data
  // lost) would hold back everything up to where the follower was. Its end tells.
  if (next_ >= 0) {
    int64_t end = 0;
    if (!probeEnd(&end, &why)) {
      host_->log(attempt == 0 ? MQGW_LOG_WARN : MQGW_LOG_DEBUG, kLog,
                 "%s: cannot follow %s: %s (retrying)", purpose_.c_str(), stream_.c_str(),
                 why.c_str());
      return false;
    }
    if (end < next_) {
      host_->log(MQGW_LOG_ERROR, kLog, "%s: %s ends at %lld, below %lld where this node was: "
                 "it was made again (RabbitMQ lost its data); following it from its start",
                 purpose_.c_str(), stream_.c_str(), static_cast<long long>(end),
                 static_cast<long long>(next_));
      next_ = -1;
      restartedFromFirst_ = true;
    }
  }
  // Resume after the last record handled; before any, where the follower was asked to start.
  const std::string from = resumeFrom();
  if (!c.open(&why) || !c.declareStream(stream_, 0, &why) ||
      !c.consume(stream_, settings_.prefetch, from, &tag, &why)) {
    host_->log(attempt == 0 ? MQGW_LOG_WARN : MQGW_LOG_DEBUG, kLog,
               "%s: cannot follow %s: %s (retrying)", purpose_.c_str(), stream_.c_str(),
               why.c_str());
    c.close();
    return false;
  }
  unacked_ = 0;
  {
    std::lock_guard lock(mu_);
    ++connection_;
    registered_ = true;
    // From "next" a marker of its own gives the follower an offset to resume from.
    std::erase_if(markers_, [](const auto& m) { return !m.second.waited; });
    if (next_ < 0 && from != "first")
      markers_[markerPrefix_ + "own" + std::to_string(connection_)] = Marker{false, 0, false};
  }
  changed_.notify_all();
  return true;
}

void StreamFollower::follow(Connection& c) {
  while (!stopping_.load()) {
    if (!publishMarkers(c)) return;
    Delivery d;
    Wait w = c.nextDelivery(kWaitMs, &d);
    if (w == Wait::kClosed) return;
    if (w == Wait::kTimeout) {
      if (unacked_ > 0 && !c.ack(lastTag_, true)) return;
      unacked_ = 0;
      continue;
    }
    handle(d);
    if (unacked_ >= kAckEvery) {
      if (!c.ack(lastTag_, true)) return;
      unacked_ = 0;
    }
  }
}

bool StreamFollower::publishMarkers(Connection& c) {
  std::lock_guard lock(mu_);
  for (auto& [id, m] : markers_) {
    if (m.read || m.publishedOn == connection_) continue;
    OutgoingMessage marker = markerRecord(id);
    uint64_t tag = 0;
    // The default exchange routes by queue name: straight into the stream, past every exchange.
    if (!c.publish("", stream_, marker.properties(), marker.body(), &tag)) return false;
    m.publishedOn = connection_;
  }
  return true;
}

void StreamFollower::handle(const Delivery& d) {
  lastTag_ = d.tag();
  ++unacked_;
  int64_t offset = 0;
  if (!d.headerInt("x-stream-offset", &offset)) {
    host_->log(MQGW_LOG_WARN, kLog, "%s: a delivery without x-stream-offset skipped",
               stream_.c_str());
    return;
  }
  StateEntry e;
  if (readStateEntry(d, &e) && e.kind == StateKind::kMarker) return markerRead(e.marker, offset);
  // RabbitMQ starts at the chunk holding the offset asked for: what precedes it was handled.
  if (next_ >= 0 && offset < next_) return;
  next_ = offset + 1;
  onRecord_(offset, d);
}

void StreamFollower::markerRead(std::string_view id, int64_t offset) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    auto it = markers_.find(std::string(id));
    if (it != markers_.end()) {
      if (!it->second.waited)
        markers_.erase(it);
      else
        it->second.read = wake = true;
    }
  }
  if (wake) changed_.notify_all();
  // Skipped like a record: offsets below next_ are a chunk's start delivered again.
  if (next_ < 0 || offset >= next_) next_ = offset + 1;
}

bool StreamFollower::probeEnd(int64_t* end, std::string* why) {
  Connection c(settings_.endpoint, "mqgw " + settings_.nodeId + " " + purpose_ + " end");
  std::string tag;
  if (!c.open(why) || !c.declareStream(stream_, 0, why) ||
      !c.consume(stream_, settings_.prefetch, "next", &tag, why))
    return false;
  const std::string id = markerPrefix_ + "end" + std::to_string(connection_);
  OutgoingMessage marker = markerRecord(id);
  uint64_t publishTag = 0;
  if (!c.publish("", stream_, marker.properties(), marker.body(), &publishTag)) {
    *why = c.lastError();
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kProbeMs);
  while (!stopping_.load() && std::chrono::steady_clock::now() < deadline) {
    Delivery d;
    Wait w = c.nextDelivery(kWaitMs, &d);
    if (w == Wait::kClosed) break;
    if (w == Wait::kTimeout) continue;
    c.ack(d.tag(), false);
    StateEntry e;
    if (readStateEntry(d, &e) && e.kind == StateKind::kMarker && e.marker == id)
      return d.headerInt("x-stream-offset", end);
  }
  *why = c.lastError().empty() ? "its end marker did not come back" : c.lastError();
  return false;
}

}  // namespace mqgw::amqp
