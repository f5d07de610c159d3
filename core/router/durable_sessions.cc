// Persistent sessions on a durable backend: their state goes to the backend (session_put) when
// it changes, and a cursor per session records where a replay after a crash must start — the
// first message it has not settled, or the node floor when it owes nothing. Cursors move in
// memory on every delivery and acknowledgement, and reach the backend in one batch per worker
// per sweep (250 ms): a crash re-delivers at most what was settled in that window (QoS 1
// duplicates), never less. See docs/decisions/0004-durable-sessions.md.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "router/router.h"
#include "router/session_record.h"

namespace mqgw {
namespace {

using clock::steadyMs;
using clock::wallMs;

StorageBinding& storage() { return Gateway::get().storage(); }

}  // namespace

void Router::track(Session* s, const mqgw_message* msg) {
  if (s->cursor->add(msg->pos)) markCursorDirty(s);
}

void Router::settle(Session* s, const mqgw_message* msg) {
  if (s->cursor && msg->hasPos && s->cursor->settle(msg->pos)) markCursorDirty(s);
}

void Router::markCursorDirty(Session* s) {
  if (s->cursor->dirty) return;
  s->cursor->dirty = true;
  cursorDirty_.push_back(s->id);
}

void Router::noteFed(const mqgw_message* msg) {
  for (mqgw_position& p : nextFed_)
    if (p.partition == msg->pos.partition) {
      if (msg->pos.offset >= p.offset) p.offset = msg->pos.offset + 1;
      return;
    }
  nextFed_.push_back({msg->pos.partition, msg->pos.offset + 1});
}

void Router::persist(Session* s, bool detached) {
  if (!storage().durable() || !s->persistent() || s->movedAway) return;
  if (!s->cursor) {
    s->cursor = std::make_unique<SessionCursor>();
    markCursorDirty(s);  // a new record follows the floor until something is outstanding
  }
  router::SessionRecord r;
  r.expiryIntervalS = s->expiryIntervalS;
  r.detachedAtMs = detached ? wallMs() : 0;
  if (s->subscriptions) r.subscriptions = *s->subscriptions;
  storage().putSession(s->clientId, router::encodeSessionRecord(r));
  s->stored = true;
}

void Router::forget(Session* s) {
  s->cursor.reset();
  if (!s->stored) return;
  s->stored = false;
  storage().deleteSession(s->clientId);
}

void Router::flushCursors() {
  if (!storage().durable()) return;
  std::vector<std::string> ids;  // keeps client ids alive across the call (sessions may die)
  std::vector<std::vector<mqgw_position>> nexts;
  for (uint64_t id : cursorDirty_) {
    Session* s = findSession(id);
    if (!s || !s->cursor || !s->stored) continue;
    s->cursor->dirty = false;
    ids.push_back(s->clientId);
    nexts.emplace_back();
    s->cursor->next(nexts.back());
  }
  cursorDirty_.clear();
  std::vector<mqgw_cursor> rows(ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    rows[i] = {{ids[i].data(), ids[i].size()}, nexts[i].data(),
               static_cast<uint32_t>(nexts[i].size())};
  // The floor goes even without rows: it lets sessions that owe nothing skip ahead on replay.
  storage().putCursors(worker_.index(), rows, nextFed_);
}

void Router::setFloors(const std::vector<mqgw_position>& floors) { nextFed_ = floors; }

void Router::restoreSession(const std::string& clientId, const uint8_t* state, size_t len,
                            std::vector<mqgw_position> replayFrom) {
  auto record = router::decodeSessionRecord(state, len);
  if (!record) {
    spdlog::warn("storage: the stored session of '{}' is unreadable; dropped", clientId);
    storage().deleteSession(clientId);
    return;
  }
  // The expiry clock runs from when the client left, or from now if it was connected when the
  // gateway stopped.
  uint64_t awayMs = record->detachedAtMs ? wallMs() - std::min(wallMs(), record->detachedAtMs) : 0;
  uint64_t intervalMs = record->expiryIntervalS * 1000ull;
  if (record->expiryIntervalS != UINT32_MAX && awayMs >= intervalMs) {
    // Expired while the gateway was down: gone now, not at the first sweep (a client that
    // connects before it must not resume it).
    storage().deleteSession(clientId);
    return;
  }
  Session* s = createSession(clientId, nullptr);
  s->expiryIntervalS = record->expiryIntervalS;
  s->stored = true;
  s->cursor = std::make_unique<SessionCursor>();
  s->cursor->replayFrom = std::move(replayFrom);
  Gateway::get().sessions().claim(s->clientId, {worker_.index(), s->id, true, false});
  for (auto& sub : record->subscriptions) subscribe(s, sub.filter, sub.options);
  s->owed().expireAtMs = s->expiryIntervalS == UINT32_MAX
                             ? 0
                             : steadyMs() + (intervalMs > awayMs ? intervalMs - awayMs : 0);
  detached_.push_back(s->id);
}

void Router::endReplay() {
  for (auto& [id, s] : sessions_)
    if (s.cursor) s.cursor->replayFrom.clear();
}

}  // namespace mqgw
