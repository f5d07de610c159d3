// Opening: a fresh schema, a newer schema version, garbage files and corrupt rows all give a
// clear error naming the file, never a crash.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "schema.h"
#include "test_support.h"

namespace mqgw::native::testing {
namespace {

// Runs `sql` on the file directly, bypassing the store.
void execRaw(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &message), SQLITE_OK)
      << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

int64_t storedVersion(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int64_t version = -1;
  if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema_version'", -1, &stmt,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    version = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return version;
}

TEST(Schema, FreshFileGetsTheCurrentVersionAndReopens) {
  TempDir dir;
  std::string path = dir.file("s.db");
  ASSERT_NE(openStore(path), nullptr);
  EXPECT_EQ(storedVersion(path), kStateSchemaVersion);
  std::string error;
  EXPECT_NE(openStore(path, &error), nullptr) << error;
}

TEST(Schema, RefusesANewerVersion) {
  TempDir dir;
  std::string path = dir.file("s.db");
  ASSERT_NE(openStore(path), nullptr);
  execRaw(path, "UPDATE meta SET value=99 WHERE key='schema_version'");
  std::string error;
  EXPECT_EQ(openStore(path, &error), nullptr);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("schema version 99 is newer"), std::string::npos) << error;
  EXPECT_EQ(storedVersion(path), 99) << "a refused file is left as it was";
}

TEST(Schema, RefusesMetaWithoutVersion) {
  TempDir dir;
  std::string path = dir.file("s.db");
  execRaw(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER)");
  std::string error;
  EXPECT_EQ(openStore(path, &error), nullptr);
  EXPECT_NE(error.find("no schema_version"), std::string::npos) << error;
}

TEST(Schema, GarbageFileFailsWithTheFileName) {
  TempDir dir;
  std::string path = dir.file("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>((i * 131 + 7) & 0xff));
  }
  std::string error;
  EXPECT_EQ(openStore(path, &error), nullptr);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("not a database"), std::string::npos) << error;
}

TEST(Schema, TruncatedHeaderFailsWithTheFileName) {
  TempDir dir;
  std::string path = dir.file("short.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << "SQLite format 3";  // a header prefix and nothing else
  }
  std::string error;
  EXPECT_EQ(openStore(path, &error), nullptr);
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(Schema, MissingDirectoryFailsWithTheFileName) {
  TempDir dir;
  std::string path = dir.file("no/such/dir/s.db");
  std::string error;
  EXPECT_EQ(openStore(path, &error), nullptr);
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(Schema, CorruptCursorFailsLoadNamingTheSession) {
  TempDir dir;
  std::string path = dir.file("s.db");
  ASSERT_NE(openStore(path), nullptr);
  execRaw(path, "INSERT INTO sessions VALUES(CAST('dev9' AS BLOB), x'00', x'01ff')");
  std::string error;
  auto store = openStore(path, &error);
  ASSERT_NE(store, nullptr) << error;
  Loaded loaded;
  EXPECT_FALSE(store->load(loaded, &error));
  EXPECT_NE(error.find("corrupt cursor of session 'dev9'"), std::string::npos) << error;
}

}  // namespace
}  // namespace mqgw::native::testing
