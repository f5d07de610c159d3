#include "sqlite_handle.h"

#include <sqlite3.h>

namespace mqgw::native {

Database::~Database() { close(); }

bool Database::open(const std::string& path, std::string* error) {
  close();
  path_ = path;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    *error = "state store " + path + ": cannot open: " +
             (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    close();
    return false;
  }
  sqlite3_extended_result_codes(db_, 1);
  return true;
}

void Database::close() {
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

bool Database::exec(const char* sql, std::string* error) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return true;
  *error = "state store " + path_ + ": " + (message ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return false;
}

std::string Database::describe(std::string_view what) const {
  std::string text = "state store " + path_ + ": ";
  text.append(what);
  text += ": ";
  text += db_ ? sqlite3_errmsg(db_) : "not open";
  return text;
}

Statement::~Statement() { finalize(); }

bool Statement::prepare(const Database& db, const char* sql, std::string* error) {
  finalize();
  if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) ==
      SQLITE_OK) {
    return true;
  }
  *error = db.describe(std::string("prepare `") + sql + "`");
  return false;
}

void Statement::finalize() {
  if (stmt_) sqlite3_finalize(stmt_);
  stmt_ = nullptr;
}

void Statement::bindBlob(int index, std::span<const uint8_t> bytes) {
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  static const uint8_t kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_STATIC);
}

void Statement::bindBlob(int index, std::string_view bytes) {
  bindBlob(index, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size()));
}

void Statement::bindText(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void Statement::bindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::bindNull(int index) { sqlite3_bind_null(stmt_, index); }

int Statement::step() { return sqlite3_step(stmt_); }

bool Statement::run(const Database& db, std::string* error) {
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite3_step(stmt_);
  bool ok = rc == SQLITE_DONE;
  if (!ok) *error = db.describe(sqlite3_sql(stmt_));
  reset();
  return ok;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::span<const uint8_t> Statement::columnBlob(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (!data || size <= 0) return {};
  return {static_cast<const uint8_t*>(data), static_cast<size_t>(size)};
}

bool Statement::columnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

int64_t Statement::columnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

}  // namespace mqgw::native
