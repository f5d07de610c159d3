#include "statements.h"

namespace mqgw::native {
namespace {

// Binds an encoded cursor, or NULL for "follows the floor".
void bindCursor(Statement& stmt, int index, const std::string& cursor) {
  if (cursor.empty()) {
    stmt.bindNull(index);
  } else {
    stmt.bindBlob(index, std::string_view(cursor));
  }
}

}  // namespace

bool Statements::prepare(const Database& db, std::string* error) {
  db_ = &db;
  return begin_.prepare(db, "BEGIN IMMEDIATE", error) &&
         commit_.prepare(db, "COMMIT", error) && rollback_.prepare(db, "ROLLBACK", error) &&
         // A put keeps the stored cursor of an existing session; a new row follows the floor.
         upsertState_.prepare(db,
                              "INSERT INTO sessions(client_id, state, cursor) VALUES(?1, ?2, NULL) "
                              "ON CONFLICT(client_id) DO UPDATE SET state=excluded.state",
                              error) &&
         // ?3: the cursor of a new row, ?4: the cursor of an existing one (see applySession).
         upsertStateAndCursor_.prepare(
             db,
             "INSERT INTO sessions(client_id, state, cursor) VALUES(?1, ?2, ?3) "
             "ON CONFLICT(client_id) DO UPDATE SET state=excluded.state, cursor=?4",
             error) &&
         updateCursor_.prepare(db, "UPDATE sessions SET cursor=?2 WHERE client_id=?1", error) &&
         deleteSession_.prepare(db, "DELETE FROM sessions WHERE client_id=?1", error) &&
         upsertFloor_.prepare(
             db,
             "INSERT INTO floors(\"partition\", \"offset\") VALUES(?1, ?2) "
             "ON CONFLICT(\"partition\") DO UPDATE SET \"offset\"=excluded.\"offset\"",
             error) &&
         upsertRetained_.prepare(db,
                                 "INSERT INTO retained(topic, record) VALUES(?1, ?2) "
                                 "ON CONFLICT(topic) DO UPDATE SET record=excluded.record",
                                 error) &&
         deleteRetained_.prepare(db, "DELETE FROM retained WHERE topic=?1", error) &&
         upsertMeta_.prepare(db,
                             "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                             "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                             error);
}

void Statements::rollback() {
  std::string ignored;
  rollback_.run(*db_, &ignored);
}

bool Statements::applySession(std::string_view clientId,
                              const PendingBatch::SessionEntry& entry, std::string* error) {
  using Op = PendingBatch::SessionOp;
  Statement* stmt = nullptr;
  switch (entry.op) {
    case Op::kDelete:
      stmt = &deleteSession_;
      break;
    case Op::kNone:  // only a cursor: it sticks if the session row exists
      stmt = &updateCursor_;
      bindCursor(*stmt, 2, entry.cursor);
      break;
    case Op::kUpsert:
      if (!entry.hasCursor) {
        stmt = &upsertState_;
        break;
      }
      // A cursor queued before the put applies to an existing row only; one queued after it
      // applies either way.
      stmt = &upsertStateAndCursor_;
      if (entry.cursorFirst) {
        stmt->bindNull(3);
      } else {
        bindCursor(*stmt, 3, entry.cursor);
      }
      bindCursor(*stmt, 4, entry.cursor);
      break;
    case Op::kReplace:  // delete + put: the old cursor is gone either way
      // entry.cursor is empty (NULL) unless a cursor came after the put. Bind the member
      // itself: blobs are bound without copying.
      stmt = &upsertStateAndCursor_;
      bindCursor(*stmt, 3, entry.cursor);
      bindCursor(*stmt, 4, entry.cursor);
      break;
  }
  stmt->bindBlob(1, clientId);
  if (entry.op == Op::kUpsert || entry.op == Op::kReplace) {
    stmt->bindBlob(2, std::string_view(entry.state));
  }
  return stmt->run(*db_, error);
}

bool Statements::apply(const PendingBatch& batch, std::string* error) {
  for (const auto& [clientId, entry] : batch.sessions()) {
    if (!applySession(clientId, entry, error)) return false;
  }
  for (const auto& [partition, offset] : batch.floors()) {
    upsertFloor_.bindInt(1, partition);
    upsertFloor_.bindInt(2, static_cast<int64_t>(offset));
    if (!upsertFloor_.run(*db_, error)) return false;
  }
  for (const auto& [topic, entry] : batch.retained()) {
    Statement& stmt = entry.remove ? deleteRetained_ : upsertRetained_;
    stmt.bindBlob(1, std::string_view(topic));
    if (!entry.remove) stmt.bindBlob(2, std::string_view(entry.record));
    if (!stmt.run(*db_, error)) return false;
  }
  for (const auto& [key, value] : batch.meta()) {
    upsertMeta_.bindText(1, key);
    upsertMeta_.bindInt(2, static_cast<int64_t>(value));
    if (!upsertMeta_.run(*db_, error)) return false;
  }
  return true;
}

}  // namespace mqgw::native
