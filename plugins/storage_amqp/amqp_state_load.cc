// StateStore::load: everything the state stream held when load began (the follower reads it up
// to a marker published now), then this node's sessions, its floor and the retained messages.
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amqp_state_impl.h"
#include "load_visit.h"

namespace mqgw::amqp {
namespace {

constexpr int kReadTimeoutMs = 60000;
constexpr int kEndOffsetTimeoutMs = 10000;
constexpr int kFirstFloorWaitMs = 10000;

void floorStored(void* arg, int status) {
  auto* stored = static_cast<std::promise<int>*>(arg);
  stored->set_value(status);
  delete stored;
}

}  // namespace

bool StateStore::Impl::writeFirstFloor(uint64_t end) {
  std::future<int> result;
  auto write = [&](const std::string& key, const std::string* value) {
    auto* stored = new std::promise<int>;  // outlives this call if the confirm is late
    result = stored->get_future();
    int rc = publisher.publishTo(
        stateStream, stateRecord(StateKind::kSession, key, value ? *value : std::string()),
        floorStored, stored);
    if (rc != MQGW_OK) delete stored;
    return rc;
  };
  const mqgw_position at{0, end};
  if (view.putFloor(namedPositions(logStream, &at, 1), wallMs(), write) != MQGW_OK) return false;
  return result.valid() &&
         result.wait_for(std::chrono::milliseconds(kFirstFloorWaitMs)) ==
             std::future_status::ready &&
         result.get() == MQGW_OK;
}

int StateStore::load(const mqgw_load_visitor* v) {
  Impl& s = *impl_;
  if (!s.started || !v) return MQGW_E_UNAVAILABLE;
  // Meta records reach host->storage_meta on the follower's thread as it reads them: all of
  // them are through once the marker is.
  if (!s.stateFollower.sync(kReadTimeoutMs)) {
    s.host->log(MQGW_LOG_ERROR, kStateLog, "%s: not read to its end within %d ms",
                s.stateStream.c_str(), kReadTimeoutMs);
    return MQGW_E_UNAVAILABLE;
  }

  cluster::visitOwnSessions(
      s.view,
      [&s](const std::vector<NamedPosition>& cursor) { return corePositions(s.logStream, cursor); },
      v);

  // A node that stored a floor resumes from it (one naming no offset of the log, from the
  // log's start); a node that never did starts at "now".
  if (std::optional<std::vector<NamedPosition>> floor = s.view.floorOf(s.settings.nodeId)) {
    std::vector<mqgw_position> mine = corePositions(s.logStream, *floor);
    if (mine.empty()) mine.push_back({0, 0});
    for (const mqgw_position& p : mine) v->floor(v->arg, p);
  } else {
    uint64_t end = 0;
    if (!s.feed.endOffset(&end, kEndOffsetTimeoutMs)) {
      s.host->log(MQGW_LOG_ERROR, kStateLog, "%s: no end offset within %d ms",
                  s.logStream.c_str(), kEndOffsetTimeoutMs);
      return MQGW_E_UNAVAILABLE;
    }
    // Stored before anything is routed: a node killed before its first cursors_put must not
    // come back as "new" and skip what it had acknowledged but not yet delivered.
    if (!s.writeFirstFloor(end))
      s.host->log(MQGW_LOG_WARN, kStateLog, "%s: this node's first floor was not stored yet",
                  s.stateStream.c_str());
    v->floor(v->arg, {0, end});
  }

  std::map<std::string, std::string> retained;
  {
    std::lock_guard lock(s.retainedMu);
    retained.swap(s.retained);
    s.retainedTaken = true;  // from here on the core keeps retained messages from the feed
  }
  if (size_t unreadable = cluster::visitRetained(s.host, retained, v))
    s.host->log(MQGW_LOG_WARN, kStateLog, "%s: %zu retained messages unreadable; dropped",
                s.stateStream.c_str(), unreadable);
  return MQGW_OK;
}

}  // namespace mqgw::amqp
