#include "schema.h"

#include <sqlite3.h>

namespace mqgw::native {
namespace {

// Version 1. Integers are SQLite's signed 64-bit; offsets and meta values round-trip
// through a cast, so the full uint64 range survives.
constexpr const char* kCreateV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE sessions(client_id BLOB PRIMARY KEY, state BLOB NOT NULL, cursor BLOB NULL)
  WITHOUT ROWID;
CREATE TABLE floors("partition" INTEGER PRIMARY KEY, "offset" INTEGER NOT NULL);
CREATE TABLE retained(topic BLOB PRIMARY KEY, record BLOB NOT NULL) WITHOUT ROWID;
)sql";

// migrations[i] turns version i+1 into version i+2; empty while there is only version 1.
constexpr const char* kMigrations[] = {nullptr};

bool applyPragmas(Database& db, bool syncFull, std::string* error) {
  // The first statement touches the file header: garbage bytes fail here with
  // "file is not a database".
  Statement mode;
  if (!mode.prepare(db, "PRAGMA journal_mode=WAL", error) || mode.step() != SQLITE_ROW) {
    *error = db.describe("cannot open (is it a SQLite database?)");
    return false;
  }
  auto result = mode.columnBlob(0);
  std::string journal(result.begin(), result.end());
  mode.reset();
  if (journal != "wal") {
    *error = "state store " + db.path() + ": cannot switch to WAL mode (got " + journal + ")";
    return false;
  }
  const char* sync = syncFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  return db.exec(sync, error) && db.exec("PRAGMA busy_timeout=2000", error);
}

// Reads the stored version: 0 for a database without a meta table (a new file).
bool readVersion(Database& db, int64_t* version, std::string* error) {
  Statement probe;
  if (!probe.prepare(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'",
                     error)) {
    return false;
  }
  int rc = probe.step();
  if (rc == SQLITE_DONE) {
    *version = 0;
    return true;
  }
  if (rc != SQLITE_ROW) {
    *error = db.describe("read schema");
    return false;
  }
  Statement read;
  if (!read.prepare(db, "SELECT value FROM meta WHERE key=?1", error)) return false;
  read.bindText(1, kSchemaVersionKey);
  rc = read.step();
  if (rc != SQLITE_ROW) {
    *error = "state store " + db.path() + ": meta table has no schema_version";
    return false;
  }
  *version = read.columnInt(0);
  return true;
}

bool writeVersion(Database& db, std::string* error) {
  Statement write;
  if (!write.prepare(db, "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                         "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                     error)) {
    return false;
  }
  write.bindText(1, kSchemaVersionKey);
  write.bindInt(2, kStateSchemaVersion);
  return write.run(db, error);
}

bool createOrMigrate(Database& db, int64_t version, std::string* error) {
  if (version == 0) {
    if (!db.exec(kCreateV1, error)) return false;
  } else {
    for (int64_t v = version; v < kStateSchemaVersion; ++v) {
      if (!db.exec(kMigrations[v - 1], error)) return false;
    }
  }
  return writeVersion(db, error);
}

}  // namespace

bool prepareSchema(Database& db, bool syncFull, std::string* error) {
  if (!applyPragmas(db, syncFull, error)) return false;
  if (!db.exec("BEGIN IMMEDIATE", error)) return false;
  int64_t version = 0;
  bool ok = readVersion(db, &version, error);
  if (ok && version > kStateSchemaVersion) {
    *error = "state store " + db.path() + ": schema version " + std::to_string(version) +
             " is newer than this build supports (" + std::to_string(kStateSchemaVersion) +
             "); refusing to open it";
    ok = false;
  } else if (ok && version < 0) {
    *error = "state store " + db.path() + ": invalid schema version " + std::to_string(version);
    ok = false;
  }
  if (ok && version < kStateSchemaVersion) ok = createOrMigrate(db, version, error);
  std::string ignored;
  if (!ok) {
    db.exec("ROLLBACK", &ignored);
    return false;
  }
  return db.exec("COMMIT", error);
}

}  // namespace mqgw::native
