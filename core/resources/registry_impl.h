// The Registry's implementation, split by resource group over registry_*.cc.
//
// Locking: writers (the management API) are serialised by writeMutex_ for the whole change:
// validate against the state, store the change in SQLite, then apply it in memory under a short
// exclusive stateMutex_. Readers (admission, lists, views) take stateMutex_ shared, so a CONNECT
// never waits for a disk sync. A writer reads the state without stateMutex_: only writers change
// it, and they hold writeMutex_. Listeners run after both locks are released.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "resources/crypto.h"
#include "resources/metadata_records.h"
#include "resources/metadata_store.h"
#include "resources/registry.h"

namespace mqgw::resources {

template <class K, class V>
using Map = std::map<K, V, std::less<>>;  // find() by string_view

// An Error that converts to any Result<T>, so checks can `return *failure;`.
struct Failure {
  Error error;
  template <class T>
  operator Result<T>() const {
    Result<T> r;
    r.error = error;
    return r;
  }
};
using Check = std::optional<Failure>;  // empty: the check passed

inline Failure fail(int status, std::string code, std::string message) {
  return Failure{Error{status, std::move(code), std::move(message)}};
}
template <class T>
Result<T> ok(T value) {
  Result<T> r;
  r.value = std::move(value);
  return r;
}

struct RegistryState {
  Map<std::string, Instance> instances;
  Map<std::string, StorageInstance> storage;
  Map<std::string, Map<std::string, ParentTopic>> topics;  // by instance, then name
  Map<std::string, Map<std::string, GroupId>> groups;      // by instance, then name
  Map<std::string, Account> accounts;
  Map<std::string, AccessKey> accessKeys;
  Map<std::string, Token> tokens;
  Map<std::string, Map<std::string, DeviceCredential>> credentials;  // by instance, client
  Map<std::string, std::pair<std::string, std::string>> credentialByKey;  // key → instance, client
  Map<std::string, InstanceViewPtr> views;
};

// What one change does: the rows to store, then the same change in memory.
struct Change {
  MetadataStore::Batch batch;
  std::vector<std::function<void(RegistryState&)>> apply;
  std::vector<std::string> changedInstances;  // views to rebuild and announce
  std::vector<std::string> deletedInstances;  // announced with an Unusable, empty view
  std::vector<InstanceViewPtr> tombstones;    // those views (built by commitChange)
  bool replicated = false;  // applies a record of the shared store: produces no records
};

// The parts of a change shared by the API's deletes and the deletes replicated from other nodes.
void addInstanceErase(Change& change, const std::string& instanceId);  // with its children
void addAccountErase(Change& change, const std::string& accountId);    // with its AccessKeys

class RegistryImpl final : public Registry {
 public:
  RegistryImpl(const Options& o, std::unique_ptr<MetadataStore> store);
  bool load(std::string* error);
  bool bootstrapIfEmpty(std::string* error);

  std::optional<std::pair<Caller, std::string>> findAccessKey(std::string_view id) const override;

  Result<Instance> createInstance(const Caller&, const InstanceRequest&) override;
  Result<std::vector<Instance>> listInstances(const Caller&) const override;
  Result<Instance> getInstance(const Caller&, std::string_view id) const override;
  Result<Done> deleteInstance(const Caller&, std::string_view id) override;
  Result<Instance> updateSpec(const Caller&, std::string_view id, const Spec&) override;

  Result<StorageInstance> createStorage(const Caller&, const StorageRequest&) override;
  Result<std::vector<StorageInstance>> listStorage(const Caller&) const override;
  Result<StorageInstance> getStorage(const Caller&, std::string_view id) const override;
  Result<Done> deleteStorage(const Caller&, std::string_view id) override;
  Result<Instance> bind(const Caller&, std::string_view instanceId,
                        std::string_view storageId) override;

  Result<ParentTopic> createTopic(const Caller&, std::string_view instanceId,
                                  std::string_view name, MessageType type,
                                  std::string_view remark) override;
  Result<std::vector<ParentTopic>> listTopics(const Caller&,
                                              std::string_view instanceId) const override;
  Result<Done> deleteTopic(const Caller&, std::string_view instanceId,
                           std::string_view name) override;
  Result<GroupId> createGroup(const Caller&, std::string_view instanceId,
                              std::string_view name) override;
  Result<std::vector<GroupId>> listGroups(const Caller&,
                                          std::string_view instanceId) const override;
  Result<Done> deleteGroup(const Caller&, std::string_view instanceId,
                           std::string_view name) override;

  Result<Account> createSubAccount(const Caller&, std::string_view name) override;
  Result<std::vector<Account>> listAccounts(const Caller&) const override;
  Result<Done> deleteAccount(const Caller&, std::string_view accountId) override;
  Result<AccessKey> createAccessKey(const Caller&, std::string_view accountId) override;
  Result<std::vector<AccessKey>> listAccessKeys(const Caller&,
                                                std::string_view accountId) const override;
  Result<Done> deleteAccessKey(const Caller&, std::string_view accessKeyId) override;

  Result<Token> applyToken(const Caller&, std::string_view instanceId,
                           const std::vector<std::string>& resources, uint8_t actions,
                           int64_t expireMs) override;
  Result<Token> queryToken(const Caller&, std::string_view instanceId,
                           std::string_view token) const override;
  Result<Done> revokeToken(const Caller&, std::string_view instanceId,
                           std::string_view token) override;

  Result<DeviceCredential> registerCredential(const Caller&, std::string_view instanceId,
                                              std::string_view clientId) override;
  Result<DeviceCredential> getCredential(const Caller&, std::string_view instanceId,
                                         std::string_view clientId) const override;
  Result<Done> unregisterCredential(const Caller&, std::string_view instanceId,
                                    std::string_view clientId) override;
  Result<DeviceCredential> refreshCredential(const Caller&, std::string_view instanceId,
                                             std::string_view clientId) override;

  Admission admit(const AdmitRequest& r) const override;
  bool grantsStillValid(const std::vector<Grant>& grants) const override;
  InstanceViewPtr view(std::string_view instanceId) const override;
  std::vector<InstanceViewPtr> views() const override;
  uint64_t generation() const override { return generation_.load(); }
  void onInstanceChanged(std::function<void(const InstanceViewPtr&)> listener) override;

  using Sink = std::function<void(const std::string& key, const std::string& value)>;
  void setReplicator(Sink sink) override;
  void applyReplicated(std::string_view key, std::string_view value) override;
  void finishReplicatedLoad() override;

 private:
  // Runs `build` (validation; fills a Change) under writeMutex_, stores and applies the Change
  // when build succeeded, then tells the listeners.
  template <class T>
  Result<T> mutate(const std::function<Result<T>(Change&)>& build);
  bool commitChange(Change& change, std::string* error);
  void announce(const Change& change);
  InstanceViewPtr buildView(const std::string& instanceId, uint64_t generation) const;

  // Replication (registry_replication.cc). Keys a change touches, with the children of deleted
  // instances and the AccessKeys of accounts (read before the change is applied).
  std::vector<std::string> touchedKeys(const Change& change) const;
  // Queues each key's record as the state now holds it (under stateMutex_).
  void queueRecords(const std::vector<std::string>& keys);
  // Hands queued records to the sink, in commit order, once the shared store was loaded.
  void flushReplication();
  std::optional<Row> currentRow(std::string_view key) const;
  std::vector<std::string> allRecordKeys() const;
  void addReplicatedUpsert(Change& change, const Row& row);
  void addReplicatedErase(Change& change, const Row& current);

  // Checks shared by the resource groups; they read state_ (callers hold a lock).
  static Check mainOnly(const Caller& c);
  Check instanceExists(std::string_view id) const;
  const GroupId* findGroup(std::string_view instanceId, std::string_view name) const;
  const DeviceCredential* findCredential(std::string_view instanceId,
                                         std::string_view clientId) const;
  Admission refuse(Refusal why, std::string reason) const;
  Admission admitLocked(const AdmitRequest& r) const;
  std::vector<Grant> tokenGrants(const AdmitRequest& r, const std::string& keyId,
                                 const std::string& instanceId, Refusal* why,
                                 std::string* reason) const;

  Options options_;
  std::unique_ptr<MetadataStore> store_;
  std::mutex writeMutex_;
  mutable std::shared_mutex stateMutex_;
  RegistryState state_;
  std::atomic<uint64_t> generation_{0};
  std::mutex listenersMutex_;
  std::vector<std::function<void(const InstanceViewPtr&)>> listeners_;

  std::atomic<bool> replicating_{false};    // a sink is set: changes produce records
  std::atomic<bool> replicaLoaded_{false};  // finishReplicatedLoad ran: records may leave
  std::unordered_set<std::string> seenKeys_;  // delivered before that (under writeMutex_)
  // This node's records not yet read back from the store, per key, oldest first (under
  // writeMutex_). While a key has some, records of it are not applied: this node's later
  // record is on its way and will settle it, so a node never flips back through its own
  // older values (or another node's value its own overwrites).
  struct Pending {
    std::string value;
    int64_t queuedMs;
  };
  std::unordered_map<std::string, std::deque<Pending>> pending_;
  bool ownRecordAhead(const std::string& key, std::string_view value);
  std::mutex sinkMutex_;                    // one flusher at a time keeps the commit order
  std::mutex outboxMutex_;
  Sink sink_;
  std::deque<std::pair<std::string, std::string>> outbox_;
};

int64_t wallClockMs();
// 1..max characters (UTF-8 code points), none of them a control character.
bool validFreeText(std::string_view s, size_t min, size_t max);

inline constexpr std::string_view kLowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr std::string_view kUpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
inline constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// prefix + n of alphabet, not yet a key of `taken`.
template <class M>
std::string freshId(const M& taken, std::string_view prefix, size_t n,
                    std::string_view alphabet) {
  for (;;) {
    std::string id = std::string(prefix) + crypto::randomString(n, alphabet);
    if (!taken.count(id)) return id;
  }
}

template <class T>
Result<T> RegistryImpl::mutate(const std::function<Result<T>(Change&)>& build) {
  Change change;
  Result<T> result;
  {
    std::lock_guard lock(writeMutex_);
    result = build(change);
    if (!result.ok()) return result;
    std::string error;
    if (!commitChange(change, &error))
      return fail(500, "InternalError", "the metadata store failed: " + error);
  }
  announce(change);
  flushReplication();
  return result;
}

}  // namespace mqgw::resources
