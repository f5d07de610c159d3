// Opening the SQLite file, its schema, and writing a Batch in one transaction. The rows of each
// resource (what a put writes, what load reads) are in metadata_rows.cc.
#include "resources/metadata_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

namespace mqgw::resources {
namespace {

// Version 1. A later version adds an upgrade step from the version found in user_version.
constexpr const char* kSchema = R"sql(
CREATE TABLE instances (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL, namespace_type INTEGER NOT NULL,
  max_connections INTEGER NOT NULL, max_publish_tps INTEGER NOT NULL,
  max_subscriptions INTEGER NOT NULL, max_message_size INTEGER NOT NULL,
  storage_id TEXT NOT NULL, status INTEGER NOT NULL, owner_account_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE storage_instances (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, namespace_type INTEGER NOT NULL,
  settings TEXT NOT NULL, bound_instance_id TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE topics (
  instance_id TEXT NOT NULL, name TEXT NOT NULL, message_type INTEGER NOT NULL,
  remark TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY (instance_id, name));
CREATE TABLE group_ids (
  instance_id TEXT NOT NULL, name TEXT NOT NULL, owner_account_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL, PRIMARY KEY (instance_id, name));
CREATE TABLE accounts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE access_keys (
  id TEXT PRIMARY KEY, secret TEXT NOT NULL, account_id TEXT NOT NULL, enabled INTEGER NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE tokens (
  value TEXT PRIMARY KEY, instance_id TEXT NOT NULL, access_key_id TEXT NOT NULL,
  resources TEXT NOT NULL, actions INTEGER NOT NULL, expire_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE device_credentials (
  instance_id TEXT NOT NULL, client_id TEXT NOT NULL, key_id TEXT NOT NULL UNIQUE,
  key_secret TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
  PRIMARY KEY (instance_id, client_id));
)sql";

}  // namespace

std::unique_ptr<MetadataStore> MetadataStore::open(const std::string& path, std::string* error) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create directory " + dir.string() + ": " + ec.message();
    return nullptr;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  std::unique_ptr<MetadataStore> store(new MetadataStore(db));
  if (rc != SQLITE_OK) {
    *error = "cannot open " + path + ": " + store->lastError();
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  // WAL with synchronous=FULL: every commit is on disk before commit() returns.
  if (!store->exec("PRAGMA journal_mode=WAL", error) ||
      !store->exec("PRAGMA synchronous=FULL", error) || !store->createSchema(error)) {
    *error = path + ": " + *error;
    return nullptr;
  }
  return store;
}

MetadataStore::~MetadataStore() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

std::string MetadataStore::lastError() const {
  return db_ ? sqlite3_errmsg(db_) : "out of memory";
}

bool MetadataStore::exec(const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
  *error = message ? message : lastError();
  sqlite3_free(message);
  return false;
}

bool MetadataStore::createSchema(std::string* error) {
  sqlite3_stmt* stmt = statement("PRAGMA user_version", error);
  if (!stmt) return false;
  int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
  sqlite3_reset(stmt);
  if (version == kSchemaVersion) return true;
  if (version != 0) {
    *error = "metadata schema version " + std::to_string(version) + " is not " +
             std::to_string(kSchemaVersion) + " (a newer mqgw wrote it?)";
    return false;
  }
  std::string script = std::string("BEGIN IMMEDIATE;") + kSchema + "PRAGMA user_version=" +
                       std::to_string(kSchemaVersion) + ";COMMIT;";
  if (exec(script.c_str(), error)) return true;
  std::string ignored;
  exec("ROLLBACK", &ignored);
  return false;
}

sqlite3_stmt* MetadataStore::statement(const char* sql, std::string* error) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    *error = lastError();
    return nullptr;
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

bool MetadataStore::run(const Batch::Op& op, std::string* error) {
  sqlite3_stmt* stmt = statement(op.sql, error);
  if (!stmt) return false;
  for (size_t i = 0; i < op.params.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    if (const auto* n = std::get_if<int64_t>(&op.params[i])) {
      sqlite3_bind_int64(stmt, index, *n);
    } else {
      const auto& s = std::get<std::string>(op.params[i]);
      sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
  }
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (rc == SQLITE_DONE) return true;
  *error = lastError();
  return false;
}

bool MetadataStore::commit(const Batch& batch, std::string* error) {
  if (batch.empty()) return true;
  if (!exec("BEGIN IMMEDIATE", error)) return false;
  for (const auto& op : batch.ops_) {
    if (!run(op, error)) {
      std::string ignored;
      exec("ROLLBACK", &ignored);
      return false;
    }
  }
  if (exec("COMMIT", error)) return true;
  std::string ignored;
  exec("ROLLBACK", &ignored);
  return false;
}

}  // namespace mqgw::resources
