// Failed commits: failed() turns true, nothing queued is lost, the batch is retried with
// backoff and failed() clears once a commit succeeds.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "test_support.h"

namespace mqgw::native::testing {
namespace {

// Polls until `done` or the deadline; the retry backoff tops out at 5 s.
template <typename Pred>
bool eventually(Pred done, std::chrono::seconds limit = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST(Fault, InjectedFailureIsRetriedAndNothingIsLost) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  store->start();
  store->failNextCommitsForTest(2);
  store->putSession("a", bytes("1"));
  EXPECT_FALSE(store->flush()) << "the first attempt fails";
  EXPECT_TRUE(store->failed());
  EXPECT_NE(store->lastError().find("injected"), std::string::npos) << store->lastError();
  // Writes while failed queue up behind the batch being retried.
  store->putSession("b", bytes("2"));
  store->putSession("a", bytes("3"));
  ASSERT_TRUE(eventually([&] { return !store->failed(); }));
  EXPECT_TRUE(store->flush());
  EXPECT_GE(store->stats().failedCommits, 2u);
  store->stop();
  Loaded loaded = reload(dir.file("s.db"));
  EXPECT_EQ(loaded.sessions["a"].state, "3") << "the newer put wins after the retry";
  EXPECT_EQ(loaded.sessions["b"].state, "2");
}

int64_t pragmaValue(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return value;
}

TEST(Fault, DiskFullIsRetriedUntilSpaceReturns) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  store->putSession("small", bytes("ok"));
  ASSERT_TRUE(store->flush());
  // Cap the database at its current size: the next page allocation fails with SQLITE_FULL.
  store->withConnectionForTest([](sqlite3* db) {
    int64_t pages = pragmaValue(db, "PRAGMA page_count");
    std::string sql = "PRAGMA max_page_count=" + std::to_string(pages);
    EXPECT_EQ(pragmaValue(db, sql.c_str()), pages);
  });
  store->start();
  std::string big(256 * 1024, 'x');
  store->putSession("big", bytes(big));
  EXPECT_FALSE(store->flush());
  EXPECT_TRUE(store->failed());
  EXPECT_NE(store->lastError().find("full"), std::string::npos) << store->lastError();
  store->putRetained("t", bytes("queued while full"));
  store->withConnectionForTest(
      [](sqlite3* db) { pragmaValue(db, "PRAGMA max_page_count=1000000"); });
  ASSERT_TRUE(eventually([&] { return !store->failed(); }));
  EXPECT_TRUE(store->flush());
  store->stop();
  Loaded loaded = reload(dir.file("s.db"));
  EXPECT_EQ(loaded.sessions["big"].state.size(), big.size());
  EXPECT_EQ(loaded.sessions["small"].state, "ok");
  EXPECT_EQ(loaded.retained["t"], "queued while full");
}

TEST(Fault, StopWhileFailingKeepsTheWritesForALaterFlush) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  store->start();
  store->failNextCommitsForTest(1000);
  store->putSession("kept", bytes("v"));
  EXPECT_FALSE(store->stop()) << "stop reports writes it could not commit";
  EXPECT_TRUE(store->failed());
  store->failNextCommitsForTest(0);
  EXPECT_TRUE(store->flush()) << "flush after stop commits on the calling thread";
  EXPECT_FALSE(store->failed());
  EXPECT_EQ(reload(dir.file("s.db")).sessions["kept"].state, "v");
}

}  // namespace
}  // namespace mqgw::native::testing
