// What a persistent session on a durable backend has not settled yet: per partition, the
// positions of messages handed to it (delivered or queued) that its client has not taken for
// good. The smallest is where a replay after a crash must start for this session; with none
// outstanding the session follows the node floor. See docs/decisions/0004-durable-sessions.md.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw {

class SessionCursor {
 public:
  // Both return true when what cursors_put must record changed (the smallest position of a
  // partition, or whether anything is outstanding).
  bool add(mqgw_position p) {
    Track& t = track(p.partition);
    bool changed = t.outstanding.empty() || p.offset < *t.outstanding.begin();
    t.outstanding.insert(p.offset);
    return changed;
  }
  bool settle(mqgw_position p) {
    for (Track& t : tracks_) {
      if (t.partition != p.partition) continue;
      auto it = t.outstanding.find(p.offset);
      if (it == t.outstanding.end()) return false;
      bool wasFirst = it == t.outstanding.begin();
      t.outstanding.erase(it);
      return wasFirst;
    }
    return false;
  }
  // The first unsettled position of each partition that has one.
  void next(std::vector<mqgw_position>& out) const {
    out.clear();
    for (const Track& t : tracks_)
      if (!t.outstanding.empty()) out.push_back({t.partition, *t.outstanding.begin()});
  }

  // While a restart replays the log: positions below these were settled before the crash.
  std::vector<mqgw_position> replayFrom;
  bool skipOnReplay(mqgw_position p) const {
    for (const mqgw_position& f : replayFrom)
      if (f.partition == p.partition) return p.offset < f.offset;
    return false;
  }
  bool dirty = false;  // queued for the next cursors_put

 private:
  struct Track {
    uint32_t partition;
    std::set<uint64_t> outstanding;
  };
  Track& track(uint32_t partition) {
    for (Track& t : tracks_)
      if (t.partition == partition) return t;
    tracks_.push_back({partition, {}});
    return tracks_.back();
  }
  std::vector<Track> tracks_;  // almost always one
};

}  // namespace mqgw
