// The console's resources on disk: one SQLite file (WAL, synchronous=FULL), so that a change the
// management API acknowledged survives a crash or a power cut. The registry keeps everything in
// memory and uses this store only to load at open and to write each change in one transaction.
// Not thread-safe: the registry calls it from one writer at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "resources/catalog.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mqgw::resources {

class MetadataStore {
 public:
  static constexpr int kSchemaVersion = 1;  // PRAGMA user_version

  // Opens or creates the file (and its directory) and its schema.
  static std::unique_ptr<MetadataStore> open(const std::string& path, std::string* error);
  ~MetadataStore();
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  struct Contents {
    std::vector<Instance> instances;
    std::vector<StorageInstance> storage;
    std::vector<ParentTopic> topics;
    std::vector<GroupId> groups;
    std::vector<Account> accounts;
    std::vector<AccessKey> accessKeys;
    std::vector<Token> tokens;
    std::vector<DeviceCredential> credentials;
  };
  bool load(Contents* out, std::string* error);

  // Changes stored together in one transaction, or not at all. `put` inserts or replaces.
  class Batch {
   public:
    void put(const Instance& v);
    void put(const StorageInstance& v);
    void put(const ParentTopic& v);
    void put(const GroupId& v);
    void put(const Account& v);
    void put(const AccessKey& v);
    void put(const Token& v);
    void put(const DeviceCredential& v);
    // An instance goes with its topics, groups, tokens and device credentials.
    void eraseInstance(const std::string& id);
    void eraseStorage(const std::string& id);
    void eraseTopic(const std::string& instanceId, const std::string& name);
    void eraseGroup(const std::string& instanceId, const std::string& name);
    void eraseAccount(const std::string& id);  // with its AccessKeys
    void eraseAccessKey(const std::string& id);
    void eraseCredential(const std::string& instanceId, const std::string& clientId);
    void eraseToken(const std::string& value);
    bool empty() const { return ops_.empty(); }
    // The replication keys (metadata_records.h) of the rows put or erased, in call order; an
    // erased instance or account names only itself, not the rows that go with it.
    const std::vector<std::string>& recordKeys() const { return keys_; }

   private:
    friend class MetadataStore;
    using Value = std::variant<int64_t, std::string>;
    struct Op {
      const char* sql;
      std::vector<Value> params;
    };
    void add(const char* sql, std::vector<Value> params) { ops_.push_back({sql, std::move(params)}); }
    std::vector<Op> ops_;
    std::vector<std::string> keys_;
  };
  bool commit(const Batch& batch, std::string* error);

 private:
  explicit MetadataStore(sqlite3* db) : db_(db) {}
  bool exec(const char* sql, std::string* error);
  bool createSchema(std::string* error);
  sqlite3_stmt* statement(const char* sql, std::string* error);  // prepared once, cached
  bool run(const Batch::Op& op, std::string* error);
  std::string lastError() const;

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace mqgw::resources
