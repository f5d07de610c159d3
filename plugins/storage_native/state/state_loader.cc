#include "state_loader.h"

#include <sqlite3.h>

#include <cstdint>
#include <vector>

#include "cursor_codec.h"
#include "schema.h"

namespace mqgw::native {
namespace {

std::string_view asText(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Steps `stmt` to the end, calling onRow per row; false on a SQLite error or a row error.
template <typename OnRow>
bool forEachRow(const Database& db, Statement& stmt, std::string* error, OnRow onRow) {
  int rc = SQLITE_ROW;
  while ((rc = stmt.step()) == SQLITE_ROW) {
    if (!onRow()) return false;
  }
  if (rc != SQLITE_DONE) {
    *error = db.describe("load");
    return false;
  }
  return true;
}

bool loadSessions(const Database& db, StateVisitor& visitor, std::string* error) {
  Statement stmt;
  if (!stmt.prepare(db, "SELECT client_id, state, cursor FROM sessions", error)) return false;
  std::vector<Position> cursor;
  return forEachRow(db, stmt, error, [&] {
    auto clientId = asText(stmt.columnBlob(0));
    cursor.clear();
    if (!stmt.columnIsNull(2) && !decodeCursor(stmt.columnBlob(2), &cursor)) {
      *error = "state store " + db.path() + ": corrupt cursor of session '" +
               std::string(clientId) + "'";
      return false;
    }
    visitor.onSession(clientId, stmt.columnBlob(1), cursor);
    return true;
  });
}

bool loadFloors(const Database& db, StateVisitor& visitor, std::string* error) {
  Statement stmt;
  if (!stmt.prepare(db, "SELECT \"partition\", \"offset\" FROM floors", error)) return false;
  return forEachRow(db, stmt, error, [&] {
    int64_t partition = stmt.columnInt(0);
    if (partition < 0 || partition > UINT32_MAX) {
      *error = "state store " + db.path() + ": invalid floor partition " +
               std::to_string(partition);
      return false;
    }
    visitor.onFloor(Position{static_cast<uint32_t>(partition),
                             static_cast<uint64_t>(stmt.columnInt(1))});
    return true;
  });
}

bool loadRetained(const Database& db, StateVisitor& visitor, std::string* error) {
  Statement stmt;
  if (!stmt.prepare(db, "SELECT topic, record FROM retained", error)) return false;
  return forEachRow(db, stmt, error, [&] {
    visitor.onRetained(asText(stmt.columnBlob(0)), stmt.columnBlob(1));
    return true;
  });
}

bool loadMeta(const Database& db, StateVisitor& visitor, std::string* error) {
  Statement stmt;
  if (!stmt.prepare(db, "SELECT key, value FROM meta WHERE key <> ?1", error)) return false;
  stmt.bindText(1, kSchemaVersionKey);
  return forEachRow(db, stmt, error, [&] {
    visitor.onMeta(asText(stmt.columnBlob(0)), static_cast<uint64_t>(stmt.columnInt(1)));
    return true;
  });
}

}  // namespace

bool loadState(Database& db, StateVisitor& visitor, std::string* error) {
  // One read transaction: the four tables come from the same snapshot.
  if (!db.exec("BEGIN", error)) return false;
  bool ok = loadSessions(db, visitor, error) && loadFloors(db, visitor, error) &&
            loadRetained(db, visitor, error) && loadMeta(db, visitor, error);
  std::string ignored;
  db.exec(ok ? "COMMIT" : "ROLLBACK", &ignored);
  return ok;
}

}  // namespace mqgw::native
