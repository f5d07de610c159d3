// The console's resources as plain values: instances, storage instances, parent topics, Group
// IDs, accounts and AccessKeys, tokens, device credentials. No behaviour here: rules live in
// registry.cc, persistence in metadata_store.cc. JSON names (PascalCase) follow the product's
// OpenAPI; see docs/api/openapi.yaml.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mqgw::resources {

// What an instance may use (the product's "edition"). Over a limit the gateway throttles.
struct Spec {
  uint32_t maxConnections = 1000;
  uint32_t maxPublishTps = 1000;            // publishes per second, whole instance
  uint32_t maxSubscriptionsPerClient = 30;
  uint32_t maxMessageSize = 64 * 1024;      // payload bytes
};

enum class NamespaceType { Dedicated, Shared };  // JSON "dedicated" | "shared"

enum class InstanceStatus {
  Unbound,   // created, no storage yet: devices are refused (reason "instance not bound")
  Ready,     // bound to a storage instance that exists
  Unusable   // its bound storage instance was deleted: refused for ever (binding is permanent)
};

struct Instance {
  std::string id;          // "mqtt-" + 12 of [a-z0-9], generated
  std::string name;        // 1..64 chars, free text without control characters
  std::string region;      // from the create request, default the gateway's `tenancy.region`
  NamespaceType namespaceType = NamespaceType::Dedicated;
  Spec spec;
  std::string storageId;   // empty until bound; never changes afterwards
  InstanceStatus status = InstanceStatus::Unbound;
  std::string ownerAccountId;  // the main account
  int64_t createdMs = 0;   // wall clock
};

struct StorageInstance {
  std::string id;          // "store-" + 12 of [a-z0-9], generated
  std::string name;
  std::string kind;        // "native" | "kafka" | "amqp" | "memory"
  NamespaceType namespaceType = NamespaceType::Dedicated;
  std::map<std::string, std::string> settings;  // free key/value text, kept as given
  std::string boundInstanceId;  // empty until bound
  int64_t createdMs = 0;
};

enum class MessageType { Normal, Ordered };  // JSON "normal" | "ordered"

struct ParentTopic {
  std::string instanceId;
  std::string name;        // 3..64 of [A-Za-z0-9_-]
  MessageType messageType = MessageType::Normal;
  std::string remark;      // 0..128 chars
  int64_t createdMs = 0;
};

struct GroupId {
  std::string instanceId;
  std::string name;        // "GID_" or "GID-" then [A-Za-z0-9_-], 7..64 chars in total
  std::string ownerAccountId;  // only this account's keys may connect with it
  int64_t createdMs = 0;
};

enum class AccountKind { Main, Sub };

struct Account {
  std::string id;          // "acc-" + 12 of [a-z0-9]
  std::string name;
  AccountKind kind = AccountKind::Sub;
  int64_t createdMs = 0;
};

struct AccessKey {
  std::string id;          // "AK" + 18 of [A-Z0-9]
  std::string secret;      // 30 of [A-Za-z0-9]
  std::string accountId;
  bool enabled = true;
  int64_t createdMs = 0;
};

// Token actions: R = subscribe (read), W = publish (write).
enum TokenAction : uint8_t { kRead = 1, kWrite = 2 };

struct Token {
  std::string value;       // 48 of [A-Za-z0-9], generated
  std::string instanceId;
  std::string accessKeyId; // the key that applied for it; a client presents this key with it
  std::vector<std::string> resources;  // MQTT topic filters under the instance's parent topics
  uint8_t actions = 0;     // TokenAction bits
  int64_t expireMs = 0;    // wall clock; 60 s .. 30 days after issue
  bool revoked = false;
  int64_t createdMs = 0;
};

struct DeviceCredential {
  std::string instanceId;
  std::string clientId;          // a full Client ID: <GroupID>@@@<DeviceID>
  std::string deviceAccessKeyId;     // "DK" + 18 of [A-Z0-9]
  std::string deviceAccessKeySecret; // 30 of [A-Za-z0-9]
  int64_t createdMs = 0;
  int64_t updatedMs = 0;
};

// What every connection of one instance checks on its hot paths (publish, subscribe): an
// immutable snapshot, replaced whole when a topic, a group or the spec changes.
struct InstanceView {
  Instance instance;
  std::unordered_set<std::string> parentTopics;
  std::unordered_set<std::string> groupIds;
  uint64_t generation = 0;  // Registry::generation() when this view was built
};
using InstanceViewPtr = std::shared_ptr<const InstanceView>;

}  // namespace mqgw::resources
