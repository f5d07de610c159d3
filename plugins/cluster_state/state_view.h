// What one node knows of the shared sessions store (Kafka: the sessions topic): every stored
// session and floor as read from the store (in log order), plus the sessions this node owns as
// it last wrote them — the local truth for those, ahead of the store. No messaging engine here:
// writes go out through a Write callback, called under the view's lock so records of one key
// reach the engine's producer in the order they were made.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "state_record.h"

namespace mqgw::cluster {

class StateView {
 public:
  // Writes one sessions-store record (value nullptr: a tombstone); returns an mqgw_status.
  using Write = std::function<int(const std::string& key, const std::string* value)>;

  explicit StateView(std::string nodeId) : node_(std::move(nodeId)) {}

  // A record read from the sessions store (value nullptr: tombstone). False when the value is
  // not a record this version can read (it is ignored).
  bool apply(std::string_view key, const std::string* value);

  // Load: this node's stored sessions as the store has them; they become owned here.
  std::vector<std::pair<std::string, SessionRecord>> adoptOwnSessions();
  std::optional<std::vector<NamedPosition>> floorOf(const std::string& node) const;

  // The session ops of this node. A session another node took from here (claim, release) is
  // no longer written by this node until it claims it back: those calls do nothing.
  int putSession(const std::string& id, std::string state, uint64_t nowMs, const Write& w);
  int deleteSession(const std::string& id, const Write& w);
  int putCursor(const std::string& id, std::vector<NamedPosition> cursor, uint64_t nowMs,
                const Write& w);
  int putFloor(std::vector<NamedPosition> floor, uint64_t nowMs, const Write& w);
  bool hasOwnFloor() const {
    std::lock_guard lock(mu_);
    return ownFloorWritten_;
  }

  // Who should answer a claim of `id` and with what, if nobody answers: the node that owns or
  // last took it (empty: nobody stores it) and the last record known (state empty: none).
  struct Known {
    std::string owner;
    SessionRecord record;
  };
  Known lookup(const std::string& id) const;

  // This node claimed `id`: with the state taken over (written as this node's record now), or
  // with none (a clean start: whatever was stored is not this node's to write any more).
  int claimed(const std::string& id, std::optional<SessionRecord> taken, uint64_t nowMs,
              const Write& w);
  // Another node claimed or was handed `id`: if this node held it, forget it and write nothing
  // for it any more (until it claims it back).
  void lost(const std::string& id, const std::string& toNode);

 private:
  int writeSession(const std::string& id, const SessionRecord& r, const Write& w);

  const std::string node_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, SessionRecord> log_;    // sessions as read from the store
  std::unordered_map<std::string, std::vector<NamedPosition>> floors_;  // node → floor, read
  std::unordered_map<std::string, SessionRecord> owned_;  // owned here, as last written
  std::vector<NamedPosition> ownFloor_;                   // as last written
  bool ownFloorWritten_ = false;
  std::unordered_set<std::string> lost_;                  // taken by others since
  std::unordered_map<std::string, std::string> handedTo_; // until the new owner's record shows
};

}  // namespace mqgw::cluster
