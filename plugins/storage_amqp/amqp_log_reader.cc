#include "amqp_log_reader.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <limits>

#include "amqp_names.h"
#include "amqp_publisher.h"
#include "amqp_record.h"

namespace mqgw::amqp {
namespace {

constexpr const char* kMarkerHeader = "mqgw.marker";
constexpr const char* kOffsetHeader = "x-stream-offset";

// A marker ID no other reader, node or process publishes: node, pid, clock and a counter.
std::string newMarkerId(const Settings& s) {
  static std::atomic<uint64_t> counter{0};
  return s.nodeId + "/" + std::to_string(getpid()) + "/" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "/" +
         std::to_string(counter.fetch_add(1));
}

}  // namespace

// The publisher's verdict on one marker: shared with its callback, which may run after the
// reader that asked is gone.
struct LogReader::MarkerConfirm {
  static constexpr int kPending = 1;
  std::atomic<int> status{kPending};
};

std::string offsetSpec(uint64_t offset) {
  return std::to_string(std::min<uint64_t>(offset, std::numeric_limits<int64_t>::max()));
}

LogReader::LogReader(const Settings& s, Publisher& publisher, const std::string& purpose,
                     std::string start)
    : settings_(s), publisher_(publisher), stream_(stateName(s, "log")),
      name_("mqgw " + s.nodeId + " " + purpose), start_(std::move(start)),
      ackEvery_(std::max<uint32_t>(1, s.prefetch / 4)) {
  auto digit = [](unsigned char c) { return std::isdigit(c) != 0; };
  if (!start_.empty() && std::all_of(start_.begin(), start_.end(), digit))
    next_ = std::stoull(start_);
}

LogReader::~LogReader() = default;

void LogReader::awaitMarker(bool eager) {
  marker_ = newMarkerId(settings_);
  eager_ = eager;
}

bool LogReader::connect(std::string* why) {
  close();
  conn_ = std::make_unique<Connection>(settings_.endpoint, name_);
  std::string tag;
  if (!conn_->open(why) ||
      !conn_->consume(stream_, settings_.prefetch, next_ ? offsetSpec(*next_) : start_, &tag,
                      why)) {
    conn_.reset();
    return false;
  }
  unacked_ = 0;
  lastTag_ = 0;
  // A marker confirmed earlier lies ahead in the stream, except after "next" with nothing
  // read: consuming at "next" again may have skipped it.
  if (awaiting() && ((eager_ && !confirm_) || markerFailed() || !next_)) publishMarker();
  return true;
}

void LogReader::close() {
  if (conn_) flushAcks();
  conn_.reset();
}

Wait LogReader::poll(int timeoutMs, const OnMessage& fn) {
  if (!isOpen()) return Wait::kClosed;
  Delivery d;
  Wait w = conn_->nextDelivery(timeoutMs, &d);
  if (w == Wait::kTimeout) {
    flushAcks();
    if (awaiting() && (!confirm_ || markerFailed())) publishMarker();
  }
  if (w != Wait::kReady) return isOpen() ? w : Wait::kClosed;
  take(d, fn);
  lastTag_ = d.tag();
  if (++unacked_ >= ackEvery_) flushAcks();
  return Wait::kReady;
}

bool LogReader::markerFailed() const {
  if (!confirm_) return false;
  int s = confirm_->status.load();
  return s != MarkerConfirm::kPending && s != MQGW_OK;
}

void LogReader::publishMarker() {
  confirm_ = std::make_shared<MarkerConfirm>();
  OutgoingMessage m;
  m.addString(kMarkerHeader, marker_);
  auto* box = new std::shared_ptr<MarkerConfirm>(confirm_);
  // the callback owns the box once publishTo accepted the marker
  int rc = publisher_.publishTo(
      stream_, std::move(m),
      [](void* arg, int status) {
        std::unique_ptr<std::shared_ptr<MarkerConfirm>> b(
            static_cast<std::shared_ptr<MarkerConfirm>*>(arg));
        (*b)->status.store(status);
      },
      box);
  // Refused (RabbitMQ down, queue full): no callback (amqp_publisher.h); the next idle poll
  // tries again.
  if (rc != MQGW_OK) {
    delete box;
    confirm_->status.store(rc);
  }
}

void LogReader::take(const Delivery& d, const OnMessage& fn) {
  int64_t signedOffset = -1;
  if (!d.headerInt(kOffsetHeader, &signedOffset) || signedOffset < 0) return;  // not a stream
  auto offset = static_cast<uint64_t>(signedOffset);
  std::string_view marker;
  if (d.headerString(kMarkerHeader, &marker)) {
    if (awaiting() && marker == marker_) {
      markerOffset_ = offset;
      // Asked to start past the end (the stream was made again?): go on after the marker.
      if (next_ && *next_ > offset) next_ = offset;
    }
  } else if (!next_ || offset >= *next_) {
    fn(d, offset);
  }
  if (!next_ || offset >= *next_) next_ = offset + 1;
}

void LogReader::flushAcks() {
  if (unacked_ == 0 || !conn_ || !conn_->isOpen()) return;
  conn_->ack(lastTag_, /*multiple=*/true);  // credit only: a stream keeps its messages
  unacked_ = 0;
}

}  // namespace mqgw::amqp
