// Thin RAII owners for a SQLite connection and its prepared statements: no exceptions, every
// failure comes back as a bool plus the connection's error text.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace mqgw::native {

class Database {
 public:
  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens (creating if missing) the file read-write. On failure *error names the file.
  bool open(const std::string& path, std::string* error);
  void close();
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements that return no rows we need.
  bool exec(const char* sql, std::string* error);
  // "<path>: <what>: <sqlite message>" for error reports.
  std::string describe(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement kept for the life of the connection; reset after every use.
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepare(const Database& db, const char* sql, std::string* error);
  void finalize();

  // Binds are 1-based, like SQLite's. Bytes are bound without copying (SQLITE_STATIC):
  // they must stay valid until step()/reset().
  void bindBlob(int index, std::span<const uint8_t> bytes);
  void bindBlob(int index, std::string_view bytes);
  void bindText(int index, std::string_view text);
  void bindInt(int index, int64_t value);
  void bindNull(int index);

  // Returns SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  // step() until SQLITE_DONE, then reset; false on error (message in *error).
  bool run(const Database& db, std::string* error);
  void reset();

  std::span<const uint8_t> columnBlob(int index) const;
  bool columnIsNull(int index) const;
  int64_t columnInt(int index) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace mqgw::native
