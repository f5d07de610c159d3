// The SQLite store alone: schema version, WAL, every resource's row round trip, cascades and
// all-or-nothing batches.
#include "resources/metadata_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace mqgw::resources {
namespace {

class MetadataStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mqgw-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/sub/dir/meta.db";  // directories created by open
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<MetadataStore> open() {
    std::string error;
    auto s = MetadataStore::open(path_, &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  // One value of a PRAGMA or query, read with a separate connection.
  std::string queryOne(const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  std::string dir_, path_;
};

TEST_F(MetadataStoreTest, CreatesVersionedSchemaInWalMode) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(queryOne("PRAGMA user_version"), std::to_string(MetadataStore::kSchemaVersion));
  EXPECT_EQ(queryOne("PRAGMA journal_mode"), "wal");
  MetadataStore::Contents c;
  std::string error;
  ASSERT_TRUE(store->load(&c, &error)) << error;
  EXPECT_TRUE(c.instances.empty());
  EXPECT_TRUE(c.accounts.empty());
}

TEST_F(MetadataStoreTest, RefusesANewerSchema) {
  { auto store = open(); }
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  std::string error;
  EXPECT_FALSE(MetadataStore::open(path_, &error));
  EXPECT_NE(error.find("99"), std::string::npos) << error;
}

TEST_F(MetadataStoreTest, EveryResourceRoundTrips) {
  Instance i{"mqtt-a", "name", "r1", NamespaceType::Shared, Spec{1, 2, 3, 4}, "store-a",
             InstanceStatus::Unusable, "acc-m", 11};
  StorageInstance s{"store-a", "st", "kafka", NamespaceType::Shared,
                    {{"brokers", "h:9092"}, {"x", "y"}}, "mqtt-a", 12};
  ParentTopic t{"mqtt-a", "demo", MessageType::Ordered, "remark é", 13};
  GroupId g{"mqtt-a", "GID_x", "acc-s", 14};
  Account a{"acc-s", "sub1", AccountKind::Sub, 15};
  AccessKey k{"AKX", "secret", "acc-s", false, 16};
  Token tok{"tokv", "mqtt-a", "AKX", {"demo/#", "demo/+/x"}, kRead | kWrite, 99, true, 17};
  DeviceCredential d{"mqtt-a", "GID_x@@@d", "DKX", "dsecret", 18, 19};
  {
    auto store = open();
    MetadataStore::Batch b;
    b.put(i), b.put(s), b.put(t), b.put(g), b.put(a), b.put(k), b.put(tok), b.put(d);
    std::string error;
    ASSERT_TRUE(store->commit(b, &error)) << error;
  }
  auto store = open();
  MetadataStore::Contents c;
  std::string error;
  ASSERT_TRUE(store->load(&c, &error)) << error;
  ASSERT_EQ(c.instances.size(), 1u);
  EXPECT_EQ(c.instances[0].namespaceType, NamespaceType::Shared);
  EXPECT_EQ(c.instances[0].spec.maxMessageSize, 4u);
  EXPECT_EQ(c.instances[0].spec.maxConnections, 1u);
  EXPECT_EQ(c.instances[0].status, InstanceStatus::Unusable);
  EXPECT_EQ(c.instances[0].storageId, "store-a");
  EXPECT_EQ(c.instances[0].createdMs, 11);
  ASSERT_EQ(c.storage.size(), 1u);
  EXPECT_EQ(c.storage[0].settings, s.settings);
  EXPECT_EQ(c.storage[0].boundInstanceId, "mqtt-a");
  ASSERT_EQ(c.topics.size(), 1u);
  EXPECT_EQ(c.topics[0].messageType, MessageType::Ordered);
  EXPECT_EQ(c.topics[0].remark, "remark é");
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_EQ(c.groups[0].ownerAccountId, "acc-s");
  ASSERT_EQ(c.accounts.size(), 1u);
  EXPECT_EQ(c.accounts[0].kind, AccountKind::Sub);
  ASSERT_EQ(c.accessKeys.size(), 1u);
  EXPECT_FALSE(c.accessKeys[0].enabled);
  EXPECT_EQ(c.accessKeys[0].secret, "secret");
  ASSERT_EQ(c.tokens.size(), 1u);
  EXPECT_EQ(c.tokens[0].resources, tok.resources);
  EXPECT_EQ(c.tokens[0].actions, kRead | kWrite);
  EXPECT_TRUE(c.tokens[0].revoked);
  EXPECT_EQ(c.tokens[0].expireMs, 99);
  ASSERT_EQ(c.credentials.size(), 1u);
  EXPECT_EQ(c.credentials[0].deviceAccessKeySecret, "dsecret");
  EXPECT_EQ(c.credentials[0].updatedMs, 19);

  MetadataStore::Batch erase;
  erase.eraseInstance("mqtt-a");
  erase.eraseAccount("acc-s");
  ASSERT_TRUE(store->commit(erase, &error)) << error;
  ASSERT_TRUE(store->load(&c, &error)) << error;
  EXPECT_TRUE(c.instances.empty());
  EXPECT_TRUE(c.topics.empty());
  EXPECT_TRUE(c.groups.empty());
  EXPECT_TRUE(c.tokens.empty());
  EXPECT_TRUE(c.credentials.empty());
  EXPECT_TRUE(c.accounts.empty());
  EXPECT_TRUE(c.accessKeys.empty());
  EXPECT_EQ(c.storage.size(), 1u);  // a storage instance outlives its instance
}

TEST_F(MetadataStoreTest, AFailingBatchStoresNothing) {
  auto store = open();
  MetadataStore::Batch b;
  b.put(Account{"acc-1", "same", AccountKind::Sub, 1});
  b.put(Account{"acc-2", "same", AccountKind::Sub, 2});  // account names are UNIQUE
  std::string error;
  EXPECT_FALSE(store->commit(b, &error));
  EXPECT_FALSE(error.empty());
  MetadataStore::Contents c;
  ASSERT_TRUE(store->load(&c, &error)) << error;
  EXPECT_TRUE(c.accounts.empty());
  // And the store still works afterwards.
  MetadataStore::Batch ok;
  ok.put(Account{"acc-3", "other", AccountKind::Sub, 3});
  EXPECT_TRUE(store->commit(ok, &error)) << error;
}

}  // namespace
}  // namespace mqgw::resources
