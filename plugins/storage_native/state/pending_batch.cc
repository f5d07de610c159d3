#include "pending_batch.h"

#include "cursor_codec.h"

namespace mqgw::native {
namespace {

template <typename V>
V& entryFor(StringKeyMap<V>& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), V{}).first;
  return it->second;
}

}  // namespace

PendingBatch::SessionEntry& PendingBatch::sessionEntry(std::string_view clientId) {
  ++ops_;
  return entryFor(sessions_, clientId);
}

void PendingBatch::putSession(std::string_view clientId, std::span<const uint8_t> state) {
  SessionEntry& entry = sessionEntry(clientId);
  switch (entry.op) {
    case SessionOp::kNone:
      entry.op = SessionOp::kUpsert;
      entry.cursorFirst = entry.hasCursor;
      break;
    case SessionOp::kDelete:
      entry.op = SessionOp::kReplace;  // the delete cleared the old row and its cursor
      break;
    case SessionOp::kUpsert:
    case SessionOp::kReplace:
      break;
  }
  entry.state.assign(state.begin(), state.end());
}

void PendingBatch::deleteSession(std::string_view clientId) {
  SessionEntry& entry = sessionEntry(clientId);
  entry.op = SessionOp::kDelete;
  entry.hasCursor = false;
  entry.cursorFirst = false;
  entry.state.clear();
  entry.cursor.clear();
}

void PendingBatch::putCursor(std::string_view clientId, std::span<const Position> next) {
  SessionEntry& entry = sessionEntry(clientId);
  if (entry.op == SessionOp::kDelete) return;  // no row to update at this point
  entry.hasCursor = true;
  entry.cursorFirst = false;  // after a put, the row exists: order no longer matters
  entry.cursor.clear();
  if (!next.empty()) encodeCursor(next, &entry.cursor);
}

void PendingBatch::putRetained(std::string_view topic, std::span<const uint8_t> record) {
  ++ops_;
  RetainedEntry& entry = entryFor(retained_, topic);
  entry.remove = record.empty();
  entry.record.assign(record.begin(), record.end());
}

void PendingBatch::putMeta(std::string_view key, uint64_t value) {
  ++ops_;
  entryFor(meta_, key) = value;
}

void PendingBatch::clear() {
  sessions_.clear();
  floors_.clear();
  retained_.clear();
  meta_.clear();
  ops_ = 0;
}

}  // namespace mqgw::native
