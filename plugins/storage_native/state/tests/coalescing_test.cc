// Per-key coalescing: one row write per key per batch, and a coalesced batch leaves exactly
// the rows that committing every call on its own would have left.
#include <gtest/gtest.h>

#include <random>

#include "pending_batch.h"
#include "test_support.h"

namespace mqgw::native::testing {
namespace {

using Op = PendingBatch::SessionOp;

TEST(PendingBatch, RepeatedPutsOfOneKeyKeepTheLast) {
  PendingBatch batch;
  batch.putSession("c1", bytes("a"));
  batch.putSession("c1", bytes("b"));
  std::vector<Position> next{{0, 5}};
  batch.putCursor("c1", next);
  batch.putCursor("c1", next);
  batch.putRetained("t", bytes("r1"));
  batch.putRetained("t", bytes("r2"));
  batch.putFloor({0, 1});
  batch.putFloor({0, 2});
  EXPECT_EQ(batch.keyCount(), 3u);
  EXPECT_EQ(batch.opCount(), 8u);
  const auto& entry = batch.sessions().at("c1");
  EXPECT_EQ(entry.op, Op::kUpsert);
  EXPECT_EQ(entry.state, "b");
  EXPECT_TRUE(entry.hasCursor);
  EXPECT_FALSE(entry.cursorFirst);
  EXPECT_EQ(batch.retained().at("t").record, "r2");
  EXPECT_EQ(batch.floors().at(0), 2u);
}

TEST(PendingBatch, DeleteAfterPutWinsAndPutAfterDeleteReplaces) {
  PendingBatch batch;
  batch.putSession("a", bytes("x"));
  batch.deleteSession("a");
  batch.deleteSession("b");
  batch.putSession("b", bytes("y"));
  EXPECT_EQ(batch.sessions().at("a").op, Op::kDelete);
  EXPECT_EQ(batch.sessions().at("b").op, Op::kReplace);
  EXPECT_EQ(batch.sessions().at("b").state, "y");
}

TEST(PendingBatch, CursorAfterDeleteIsDropped) {
  PendingBatch batch;
  std::vector<Position> next{{0, 5}};
  batch.deleteSession("a");
  batch.putCursor("a", next);
  EXPECT_FALSE(batch.sessions().at("a").hasCursor);
}

TEST(PendingBatch, ClearEmptiesEverything) {
  PendingBatch batch;
  batch.putSession("a", bytes("x"));
  batch.putMeta("m", 1);
  batch.clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.opCount(), 0u);
}

TEST(Coalescing, TenPutsOfOneKeyWriteOneRow) {
  TempDir dir;
  auto store = openStore(dir.file("s.db"));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 10; ++i) store->putSession("c1", bytes("state" + std::to_string(i)));
  ASSERT_TRUE(store->flush());
  StateStoreStats stats = store->stats();
  EXPECT_EQ(stats.commits, 1u);
  EXPECT_EQ(stats.rowsWritten, 1u);
  EXPECT_EQ(stats.opsCommitted, 10u);
  EXPECT_EQ(reload(dir.file("s.db")).sessions.at("c1").state, "state9");
}

// One random call against both stores: `each` commits after every call, `batched` once.
void randomCall(std::mt19937& rng, std::vector<StateStore*> stores) {
  static const char* kKeys[] = {"k0", "k1", "k2"};
  std::string key = kKeys[rng() % 3];
  std::string value = "v" + std::to_string(rng() % 1000);
  std::vector<Position> next;
  if (rng() % 2) next.push_back({0, rng() % 100});
  CursorRow row{key, next};
  Position floor{0, rng() % 100};
  unsigned kind = rng() % 5;
  for (StateStore* store : stores) {
    switch (kind) {
      case 0: store->putSession(key, bytes(value)); break;
      case 1: store->deleteSession(key); break;
      case 2: store->putCursors({&row, 1}, {&floor, 1}); break;
      case 3: store->putRetained(key, rng() % 3 ? bytes(value) : bytes("")); break;
      default: store->putMeta(key, value.size()); break;
    }
  }
}

TEST(Coalescing, BatchedResultEqualsCommittingEveryCall) {
  TempDir dir;
  auto each = openStore(dir.file("each.db"));
  auto batched = openStore(dir.file("batched.db"));
  ASSERT_NE(each, nullptr);
  ASSERT_NE(batched, nullptr);
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    std::mt19937 same(seed);
    // The batched store sees each round's 12 calls in one transaction.
    for (int i = 0; i < 12; ++i) {
      randomCall(rng, {each.get()});
      ASSERT_TRUE(each->flush());
      randomCall(same, {batched.get()});
    }
    ASSERT_TRUE(batched->flush());
    Loaded a = reload(dir.file("each.db"));
    Loaded b = reload(dir.file("batched.db"));
    ASSERT_EQ(a.sessions.size(), b.sessions.size()) << "seed " << seed;
    for (const auto& [key, session] : a.sessions) {
      ASSERT_TRUE(b.sessions.count(key)) << "seed " << seed << " key " << key;
      EXPECT_EQ(b.sessions[key].state, session.state) << "seed " << seed;
      EXPECT_EQ(b.sessions[key].cursor, session.cursor) << "seed " << seed << " key " << key;
    }
    EXPECT_EQ(a.retained, b.retained) << "seed " << seed;
    EXPECT_EQ(a.meta, b.meta) << "seed " << seed;
    EXPECT_EQ(a.floors, b.floors) << "seed " << seed;
  }
  EXPECT_LT(batched->stats().rowsWritten, each->stats().rowsWritten);
}

}  // namespace
}  // namespace mqgw::native::testing
