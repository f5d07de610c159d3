// Round trips through the commit thread and a reopen: sessions, cursors, floors, retained
// messages and meta values, binary keys, extremes and concurrent writers.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <limits>
#include <thread>

#include "test_support.h"

namespace mqgw::native::testing {
namespace {

TEST(StateStore, RoundTripsEverythingAcrossReopen) {
  TempDir dir;
  std::string path = dir.file("state.db");
  {
    auto store = openStore(path);
    ASSERT_NE(store, nullptr);
    store->start();
    store->putSession("dev1", bytes("s1"));
    store->putSession("dev2", bytes("s2"));
    std::vector<Position> next{{0, 42}, {2, 7}};
    CursorRow rows[] = {{"dev1", next}, {"dev2", {}}};
    Position floors[] = {{0, 40}, {2, 5}};
    store->putCursors(rows, floors);
    store->putRetained("a/b", bytes("rec-ab"));
    store->putRetained("a/c", bytes("rec-ac"));
    store->putRetained("a/c", bytes(""));
    EXPECT_TRUE(store->putMeta("retained_applied_offset", 99));
    EXPECT_TRUE(store->flush());
    EXPECT_FALSE(store->failed());
    EXPECT_TRUE(store->stop());
  }
  Loaded loaded = reload(path);
  ASSERT_EQ(loaded.sessions.size(), 2u);
  EXPECT_EQ(loaded.sessions["dev1"].state, "s1");
  EXPECT_EQ(loaded.sessions["dev1"].cursor, (std::vector<Position>{{0, 42}, {2, 7}}));
  EXPECT_EQ(loaded.sessions["dev2"].state, "s2");
  EXPECT_TRUE(loaded.sessions["dev2"].cursor.empty()) << "follows the floor";
  EXPECT_EQ(loaded.floors, (std::map<uint32_t, uint64_t>{{0, 40}, {2, 5}}));
  EXPECT_EQ(loaded.retained, (std::map<std::string, std::string>{{"a/b", "rec-ab"}}));
  EXPECT_EQ(loaded.meta, (std::map<std::string, uint64_t>{{"retained_applied_offset", 99}}))
      << "schema_version is not reported";
}

TEST(StateStore, DeleteRemovesSessionAndCursor) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  store->start();
  std::vector<Position> next{{0, 1}};
  CursorRow row{"gone", next};
  store->putSession("gone", bytes("x"));
  store->putCursors({&row, 1}, {});
  ASSERT_TRUE(store->flush());
  store->deleteSession("gone");
  ASSERT_TRUE(store->flush());
  store->putSession("gone", bytes("again"));
  ASSERT_TRUE(store->flush());
  Loaded loaded = reload(dir.file("s.db"));
  EXPECT_EQ(loaded.sessions["gone"].state, "again");
  EXPECT_TRUE(loaded.sessions["gone"].cursor.empty()) << "the old cursor went with the delete";
}

TEST(StateStore, CursorOfUnknownSessionIsIgnored) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  std::vector<Position> next{{0, 1}};
  CursorRow row{"nobody", next};
  store->putCursors({&row, 1}, {});
  ASSERT_TRUE(store->flush());
  EXPECT_TRUE(reload(dir.file("s.db")).sessions.empty());
}

TEST(StateStore, KeepsBinaryKeysEmptyStatesAndFullRangeIntegers) {
  TempDir dir;
  const std::string binaryId("id\0with\xffnul", 11);
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  {
    auto store = openStore(dir.file("s.db"));
    ASSERT_NE(store, nullptr);
    store->putSession(binaryId, bytes(""));
    std::vector<Position> next{{std::numeric_limits<uint32_t>::max(), kMax}};
    CursorRow row{binaryId, next};
    Position floor{std::numeric_limits<uint32_t>::max(), kMax};
    store->putCursors({&row, 1}, {&floor, 1});
    store->putMeta("big", kMax);
    ASSERT_TRUE(store->flush());
  }
  Loaded loaded = reload(dir.file("s.db"));
  ASSERT_EQ(loaded.sessions.count(binaryId), 1u);
  EXPECT_EQ(loaded.sessions[binaryId].state, "");
  EXPECT_EQ(loaded.sessions[binaryId].cursor[0].offset, kMax);
  EXPECT_EQ(loaded.floors[std::numeric_limits<uint32_t>::max()], kMax);
  EXPECT_EQ(loaded.meta["big"], kMax);
}

TEST(StateStore, RefusesTheReservedMetaKey) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->putMeta("schema_version", 7));
  EXPECT_EQ(store->pendingKeys(), 0u);
}

TEST(StateStore, FlushWithNothingQueuedSucceeds) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->flush());
  store->start();
  EXPECT_TRUE(store->flush());
  EXPECT_EQ(store->stats().commits, 0u);
}

TEST(StateStore, ConcurrentWritersLoseNothing) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  store->start();
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&store, t] {
      for (int i = 0; i < 500; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        store->putSession(id, bytes(id));
        std::vector<Position> next{{0, static_cast<uint64_t>(i)}};
        CursorRow row{id, next};
        store->putCursors({&row, 1}, {});
        if (i % 100 == 0) store->flush();
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_TRUE(store->flush());
  StateStoreStats stats = store->stats();
  EXPECT_EQ(stats.opsCommitted, 4000u);
  EXPECT_GE(stats.commits, 1u);
  store->stop();
  Loaded loaded = reload(dir.file("s.db"));
  ASSERT_EQ(loaded.sessions.size(), 2000u);
  EXPECT_EQ(loaded.sessions["t3-499"].state, "t3-499");
  EXPECT_EQ(loaded.sessions["t3-499"].cursor, (std::vector<Position>{{0, 499}}));
}

TEST(StateStore, UsesWalMode) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  std::string mode;
  store->withConnectionForTest([&](sqlite3* db) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
  });
  EXPECT_EQ(mode, "wal");
}

}  // namespace
}  // namespace mqgw::native::testing
