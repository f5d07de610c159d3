// Writes queued since the last commit, coalesced per key so a batch writes each row once.
//
// Per key the batch keeps the net effect of the queued calls, in call order:
//  - sessions: the last state put, a delete, or "delete then put" (Replace), plus the last
//    cursor. A cursor queued while the session is deleted in this batch is dropped, exactly as
//    the UPDATE would have matched no row; a cursor queued before the first put of a session
//    the batch did not otherwise touch is applied before the put (it only sticks if the row
//    already existed). Each session key then maps to exactly one SQL statement.
//  - floors, retained, meta: the last value wins; an empty retained record deletes the topic.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "state_types.h"

namespace mqgw::native {

struct StringKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};
template <typename V>
using StringKeyMap = std::unordered_map<std::string, V, StringKeyHash, std::equal_to<>>;

class PendingBatch {
 public:
  enum class SessionOp : uint8_t { kNone, kUpsert, kReplace, kDelete };
  struct SessionEntry {
    SessionOp op = SessionOp::kNone;
    bool hasCursor = false;
    bool cursorFirst = false;  // the cursor was queued before the session's first put
    std::string state;
    std::string cursor;        // encodeCursor() bytes; empty = NULL (follows the floor)
  };
  struct RetainedEntry {
    bool remove = false;
    std::string record;
  };

  void putSession(std::string_view clientId, std::span<const uint8_t> state);
  void deleteSession(std::string_view clientId);
  void putCursor(std::string_view clientId, std::span<const Position> next);
  void putFloor(Position floor) { floors_[floor.partition] = floor.offset; ++ops_; }
  void putRetained(std::string_view topic, std::span<const uint8_t> record);
  void putMeta(std::string_view key, uint64_t value);

  bool empty() const { return keyCount() == 0; }
  // Distinct keys, i.e. rows the commit will write.
  size_t keyCount() const {
    return sessions_.size() + floors_.size() + retained_.size() + meta_.size();
  }
  // Calls coalesced into this batch (for statistics).
  uint64_t opCount() const { return ops_; }
  // Empties the batch but keeps the hash tables' buckets for the next round.
  void clear();

  const StringKeyMap<SessionEntry>& sessions() const { return sessions_; }
  const std::map<uint32_t, uint64_t>& floors() const { return floors_; }
  const StringKeyMap<RetainedEntry>& retained() const { return retained_; }
  const StringKeyMap<uint64_t>& meta() const { return meta_; }

 private:
  SessionEntry& sessionEntry(std::string_view clientId);

  StringKeyMap<SessionEntry> sessions_;
  std::map<uint32_t, uint64_t> floors_;
  StringKeyMap<RetainedEntry> retained_;
  StringKeyMap<uint64_t> meta_;
  uint64_t ops_ = 0;
};

}  // namespace mqgw::native
