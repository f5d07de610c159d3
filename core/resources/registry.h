// The console's resources and their rules, kept in an embedded SQLite database that outlives
// restarts (metadata_store.cc) and served from memory. Thread-safe: the management API changes
// it (one writer at a time, under a mutex); CONNECT admission reads it from every worker; the
// hot paths (publish, subscribe) read only immutable InstanceView snapshots.
//
// Every operation returns a Result: the value, or an Error with the HTTP status and the code the
// management API answers with ({RequestId, Code, Message}). Rules (../shared/seed/PRODUCT.md):
//   - an instance binds once and for ever; a storage instance binds to at most one instance;
//     both must have the same namespace type; deleting a bound storage instance makes its
//     instance Unusable (its live connections are closed by the core: see onInstanceChanged);
//   - parent topics: 3..64 of [A-Za-z0-9_-], unique per instance;
//   - Group IDs: "GID_" or "GID-" prefix, 7..64 of [A-Za-z0-9_-], unique per instance, usable
//     (for connecting, deleting, token grants) only by the account that created them;
//   - Client ID: <GroupID>@@@<DeviceID>, at most 64 characters of [A-Za-z0-9_-] plus the "@@@";
//   - tokens: 60 s .. 30 days, resources are topic filters under existing parent topics.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/catalog.h"

namespace mqgw::resources {

struct Error {
  int httpStatus = 400;  // 400 bad request, 403 forbidden, 404 not found, 409 conflict, 500
  std::string code;      // "InvalidParameter.GroupId", "InstanceAlreadyBound", ...
  std::string message;   // one human sentence
};

template <class T>
struct Result {
  std::optional<T> value;
  std::optional<Error> error;  // set exactly when value is not
  bool ok() const { return value.has_value(); }
  static Result fail(int status, std::string code, std::string message) {
    Result r;
    r.error = Error{status, std::move(code), std::move(message)};
    return r;
  }
};
struct Done {};  // the value of an operation that returns nothing

// Who calls the management API: resolved from the request's AccessKeyId.
struct Caller {
  std::string accountId;
  AccountKind kind = AccountKind::Sub;
  std::string accessKeyId;
};

// ---- admission of a device's CONNECT (the three username modes of PRODUCT.md) ----
enum class Refusal {
  None,
  BadClientId,     // not <GroupID>@@@<DeviceID>, or the group is unknown: v5 0x85, v3 0x02
  BadCredentials,  // unknown key, wrong signature, malformed username/password: v5 0x86, v3 0x05
  NotAuthorized,   // a token that is expired, revoked, of the wrong type or key; a group of
                   // another account: v5 0x87, v3 0x05
  Unavailable      // the instance is not bound, or Unusable: v5 0x88, v3 0x03
};

enum class AuthMode { Signature, Token, DeviceCredential };

struct AdmitRequest {
  std::string_view clientId;
  std::string_view username;
  std::string_view password;  // binary-safe
  bool hasPassword = false;
  int64_t nowMs = 0;          // wall clock
};

// One token presented at CONNECT: what it lets the connection do, until when.
struct Grant {
  std::string token;
  std::vector<std::string> resources;  // topic filters
  uint8_t actions = 0;                 // TokenAction bits granted by the presented type
  int64_t expireMs = 0;
};

struct Admission {
  Refusal refusal = Refusal::None;
  std::string reason;        // for the log and the v5 Reason String; never contains secrets
  InstanceViewPtr view;      // set when admitted
  std::string accountId;
  AuthMode mode = AuthMode::Signature;
  std::vector<Grant> grants; // Token mode only
};

// The usernames the console owns: "Signature|...", "Token|...", "DeviceCredential|...".
bool isConsoleUsername(std::string_view username);

class Registry {
 public:
  struct Options {
    std::string dbPath;               // SQLite file; its directory is created when missing
    std::string region = "local";     // default region of new instances
    std::vector<std::string> servedKinds;  // storage kinds this gateway can bind ("native")
    // On first start (no account yet) the main account and its first AccessKey are created
    // and written here, mode 0600, as a mqgwctl profile ([default] access_key_id=...).
    std::string bootstrapCredentialsFile;
    std::string bootstrapEndpoint;    // written into that profile as endpoint=
    bool deferBootstrap = false;      // wait for finishReplicatedLoad (a clustered backend)
  };
  static std::unique_ptr<Registry> open(const Options& o, std::string* error);
  virtual ~Registry() = default;

  // ---- API callers ----
  // The account and secret of an enabled AccessKey (secret for request signature checks).
  virtual std::optional<std::pair<Caller, std::string>> findAccessKey(std::string_view id) const = 0;

  // ---- instances (main account only, except list/get) ----
  struct InstanceRequest {
    std::string name;
    std::string region;  // empty = Options::region
    NamespaceType namespaceType = NamespaceType::Dedicated;
    Spec spec;
  };
  virtual Result<Instance> createInstance(const Caller&, const InstanceRequest&) = 0;
  virtual Result<std::vector<Instance>> listInstances(const Caller&) const = 0;
  virtual Result<Instance> getInstance(const Caller&, std::string_view id) const = 0;
  // Deletes the instance with its topics, groups, tokens and device credentials. Its storage
  // instance stays bound to the deleted id (a binding is for ever) until it is deleted itself.
  virtual Result<Done> deleteInstance(const Caller&, std::string_view id) = 0;
  virtual Result<Instance> updateSpec(const Caller&, std::string_view id, const Spec&) = 0;

  // ---- storage instances and binding (main account only) ----
  struct StorageRequest {
    std::string name;
    std::string kind;  // must be one of Options::servedKinds
    NamespaceType namespaceType = NamespaceType::Dedicated;
    std::map<std::string, std::string> settings;
  };
  virtual Result<StorageInstance> createStorage(const Caller&, const StorageRequest&) = 0;
  virtual Result<std::vector<StorageInstance>> listStorage(const Caller&) const = 0;
  virtual Result<StorageInstance> getStorage(const Caller&, std::string_view id) const = 0;
  virtual Result<Done> deleteStorage(const Caller&, std::string_view id) = 0;
  virtual Result<Instance> bind(const Caller&, std::string_view instanceId,
                                std::string_view storageId) = 0;

  // ---- parent topics and Group IDs (any account of the instance's owner) ----
  virtual Result<ParentTopic> createTopic(const Caller&, std::string_view instanceId,
                                          std::string_view name, MessageType type,
                                          std::string_view remark) = 0;
  virtual Result<std::vector<ParentTopic>> listTopics(const Caller&,
                                                      std::string_view instanceId) const = 0;
  virtual Result<Done> deleteTopic(const Caller&, std::string_view instanceId,
                                   std::string_view name) = 0;
  virtual Result<GroupId> createGroup(const Caller&, std::string_view instanceId,
                                      std::string_view name) = 0;
  virtual Result<std::vector<GroupId>> listGroups(const Caller&,
                                                  std::string_view instanceId) const = 0;
  virtual Result<Done> deleteGroup(const Caller&, std::string_view instanceId,
                                   std::string_view name) = 0;

  // ---- accounts and AccessKeys (main account; a sub-account may list its own keys) ----
  virtual Result<Account> createSubAccount(const Caller&, std::string_view name) = 0;
  virtual Result<std::vector<Account>> listAccounts(const Caller&) const = 0;
  virtual Result<Done> deleteAccount(const Caller&, std::string_view accountId) = 0;
  // accountId empty = the caller's own account. The secret is returned only here.
  virtual Result<AccessKey> createAccessKey(const Caller&, std::string_view accountId) = 0;
  // Secrets are blanked in the list.
  virtual Result<std::vector<AccessKey>> listAccessKeys(const Caller&,
                                                        std::string_view accountId) const = 0;
  virtual Result<Done> deleteAccessKey(const Caller&, std::string_view accessKeyId) = 0;

  // ---- tokens ----
  virtual Result<Token> applyToken(const Caller&, std::string_view instanceId,
                                   const std::vector<std::string>& resources, uint8_t actions,
                                   int64_t expireMs) = 0;
  // value present with revoked/expired as they are; 404 when no such token in the instance
  virtual Result<Token> queryToken(const Caller&, std::string_view instanceId,
                                   std::string_view token) const = 0;
  virtual Result<Done> revokeToken(const Caller&, std::string_view instanceId,
                                   std::string_view token) = 0;

  // ---- device credentials ----
  virtual Result<DeviceCredential> registerCredential(const Caller&, std::string_view instanceId,
                                                      std::string_view clientId) = 0;
  virtual Result<DeviceCredential> getCredential(const Caller&, std::string_view instanceId,
                                                 std::string_view clientId) const = 0;
  virtual Result<Done> unregisterCredential(const Caller&, std::string_view instanceId,
                                            std::string_view clientId) = 0;
  virtual Result<DeviceCredential> refreshCredential(const Caller&, std::string_view instanceId,
                                                     std::string_view clientId) = 0;

  // ---- the gateway's side ----
  virtual Admission admit(const AdmitRequest& r) const = 0;
  // Whether every token a connection was admitted with is still neither revoked nor deleted.
  virtual bool grantsStillValid(const std::vector<Grant>& grants) const = 0;
  virtual InstanceViewPtr view(std::string_view instanceId) const = 0;  // null: no such instance
  virtual std::vector<InstanceViewPtr> views() const = 0;              // every instance
  // Bumped by every change; a connection compares it with its view's to notice changes cheaply.
  virtual uint64_t generation() const = 0;
  // Called (on the changing thread, after the change is stored) with the new view of an instance
  // whose status, spec, topics or groups changed, and with a view whose instance.status is
  // Unusable and whose parentTopics are empty for a deleted instance.
  virtual void onInstanceChanged(std::function<void(const InstanceViewPtr&)> listener) = 0;

  // ---- several gateway nodes (docs/decisions/0006-console-instances.md) ----
  // Each committed change also goes to `sink` as records ("<kind>/<id>" → a JSON row; an
  // empty value deletes), which a clustered backend stores and hands to every node.
  virtual void setReplicator(std::function<void(const std::string& key,
                                                const std::string& value)> sink) = 0;
  // A record from the shared store (this node's own ones come back too): applied to SQLite and
  // memory unless identical, without going to the sink again; listeners are told.
  virtual void applyReplicated(std::string_view key, std::string_view value) = 0;
  // The shared store has been read to its end: only now, with Options::deferBootstrap, is the
  // main account created when no node has one.
  virtual void finishReplicatedLoad() = 0;
};

}  // namespace mqgw::resources
