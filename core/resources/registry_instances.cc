// Instances, storage instances and the binding between them (main account only, but for
// listing and reading instances).
#include <algorithm>

#include "resources/registry_impl.h"

namespace mqgw::resources {
namespace {

constexpr uint32_t kMaxMessageSizeLimit = 268435455;  // MQTT's largest packet

Check checkSpec(const Spec& s) {
  if (s.maxConnections == 0 || s.maxPublishTps == 0 || s.maxSubscriptionsPerClient == 0 ||
      s.maxMessageSize == 0 || s.maxMessageSize > kMaxMessageSizeLimit)
    return fail(400, "InvalidParameter.Spec",
                "every spec limit must be at least 1, and MaxMessageSize at most 268435455");
  return std::nullopt;
}

std::string servedList(const std::vector<std::string>& kinds) {
  std::string out;
  for (const auto& k : kinds) out += (out.empty() ? "" : ", ") + k;
  return out.empty() ? "none" : out;
}

}  // namespace

void addInstanceErase(Change& change, const std::string& id) {
  change.batch.eraseInstance(id);
  change.apply.push_back([id](RegistryState& s) {
    s.instances.erase(id);
    s.topics.erase(id);
    s.groups.erase(id);
    std::erase_if(s.tokens, [&](const auto& t) { return t.second.instanceId == id; });
    if (auto creds = s.credentials.find(id); creds != s.credentials.end()) {
      for (const auto& [clientId, cred] : creds->second)
        s.credentialByKey.erase(cred.deviceAccessKeyId);
      s.credentials.erase(creds);
    }
  });
  change.deletedInstances.push_back(id);
}

Result<Instance> RegistryImpl::createInstance(const Caller& c, const InstanceRequest& r) {
  if (auto f = mainOnly(c)) return *f;
  if (!validFreeText(r.name, 1, 64))
    return fail(400, "InvalidParameter.InstanceName",
                "InstanceName must be 1..64 characters without control characters");
  if (!r.region.empty() && !validFreeText(r.region, 1, 64))
    return fail(400, "InvalidParameter.Region",
                "Region must be 1..64 characters without control characters");
  if (auto f = checkSpec(r.spec)) return *f;
  return mutate<Instance>([&](Change& change) -> Result<Instance> {
    Instance v;
    v.id = freshId(state_.instances, "mqtt-", 12, kLowerDigits);
    v.name = r.name;
    v.region = r.region.empty() ? options_.region : r.region;
    v.namespaceType = r.namespaceType;
    v.spec = r.spec;
    v.ownerAccountId = c.accountId;
    v.createdMs = wallClockMs();
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.instances[v.id] = v; });
    change.changedInstances.push_back(v.id);
    return ok(v);
  });
}

Result<std::vector<Instance>> RegistryImpl::listInstances(const Caller&) const {
  std::shared_lock lock(stateMutex_);
  std::vector<Instance> out;
  for (const auto& [id, v] : state_.instances) out.push_back(v);
  return ok(std::move(out));
}

Result<Instance> RegistryImpl::getInstance(const Caller&, std::string_view id) const {
  std::shared_lock lock(stateMutex_);
  if (auto f = instanceExists(id)) return *f;
  return ok(state_.instances.find(id)->second);
}

Result<Done> RegistryImpl::deleteInstance(const Caller& c, std::string_view idView) {
  if (auto f = mainOnly(c)) return *f;
  std::string id(idView);
  return mutate<Done>([&](Change& change) -> Result<Done> {
    if (auto f = instanceExists(id)) return *f;
    addInstanceErase(change, id);
    return ok(Done{});
  });
}

Result<Instance> RegistryImpl::updateSpec(const Caller& c, std::string_view id, const Spec& spec) {
  if (auto f = mainOnly(c)) return *f;
  if (auto f = checkSpec(spec)) return *f;
  return mutate<Instance>([&](Change& change) -> Result<Instance> {
    if (auto f = instanceExists(id)) return *f;
    Instance v = state_.instances.find(id)->second;
    v.spec = spec;
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.instances[v.id] = v; });
    change.changedInstances.push_back(v.id);
    return ok(v);
  });
}

Result<StorageInstance> RegistryImpl::createStorage(const Caller& c, const StorageRequest& r) {
  if (auto f = mainOnly(c)) return *f;
  if (!validFreeText(r.name, 1, 64))
    return fail(400, "InvalidParameter.Name",
                "Name must be 1..64 characters without control characters");
  if (r.kind.empty()) return fail(400, "InvalidParameter.Kind", "Kind is required");
  const auto& served = options_.servedKinds;
  if (std::find(served.begin(), served.end(), r.kind) == served.end())
    return fail(400, "StorageKindNotServed",
                "this gateway does not serve storage kind '" + r.kind +
                    "'; it serves: " + servedList(served));
  // An instance's messages live in the node's backend as `storage:` configures it (decision
  // 0006): settings of a storage instance would be silently ignored, so none are taken yet.
  if (!r.settings.empty())
    return fail(400, "InvalidParameter.Settings",
                "storage instances take no settings yet: the gateway's `storage:` section "
                "configures the " + r.kind + " backend");
  return mutate<StorageInstance>([&](Change& change) -> Result<StorageInstance> {
    StorageInstance v;
    v.id = freshId(state_.storage, "store-", 12, kLowerDigits);
    v.name = r.name;
    v.kind = r.kind;
    v.namespaceType = r.namespaceType;
    v.settings = r.settings;
    v.createdMs = wallClockMs();
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.storage[v.id] = v; });
    return ok(v);
  });
}

Result<std::vector<StorageInstance>> RegistryImpl::listStorage(const Caller& c) const {
  if (auto f = mainOnly(c)) return *f;
  std::shared_lock lock(stateMutex_);
  std::vector<StorageInstance> out;
  for (const auto& [id, v] : state_.storage) out.push_back(v);
  return ok(std::move(out));
}

Result<StorageInstance> RegistryImpl::getStorage(const Caller& c, std::string_view id) const {
  if (auto f = mainOnly(c)) return *f;
  std::shared_lock lock(stateMutex_);
  auto it = state_.storage.find(id);
  if (it == state_.storage.end())
    return fail(404, "StorageInstanceNotFound",
                "storage instance " + std::string(id) + " does not exist");
  return ok(it->second);
}

// Allowed while bound: the instance then becomes Unusable for ever (the product's rule).
Result<Done> RegistryImpl::deleteStorage(const Caller& c, std::string_view idView) {
  if (auto f = mainOnly(c)) return *f;
  std::string id(idView);
  return mutate<Done>([&](Change& change) -> Result<Done> {
    auto it = state_.storage.find(id);
    if (it == state_.storage.end())
      return fail(404, "StorageInstanceNotFound", "storage instance " + id + " does not exist");
    change.batch.eraseStorage(id);
    change.apply.push_back([id](RegistryState& s) { s.storage.erase(id); });
    auto bound = state_.instances.find(it->second.boundInstanceId);
    if (bound != state_.instances.end()) {
      Instance v = bound->second;
      v.status = InstanceStatus::Unusable;
      change.batch.put(v);
      change.apply.push_back([v](RegistryState& s) { s.instances[v.id] = v; });
      change.changedInstances.push_back(v.id);
    }
    return ok(Done{});
  });
}

Result<Instance> RegistryImpl::bind(const Caller& c, std::string_view instanceId,
                                    std::string_view storageId) {
  if (auto f = mainOnly(c)) return *f;
  return mutate<Instance>([&](Change& change) -> Result<Instance> {
    if (auto f = instanceExists(instanceId)) return *f;
    auto store = state_.storage.find(storageId);
    if (store == state_.storage.end())
      return fail(404, "StorageInstanceNotFound",
                  "storage instance " + std::string(storageId) + " does not exist");
    Instance v = state_.instances.find(instanceId)->second;
    StorageInstance st = store->second;
    if (!v.storageId.empty())
      return fail(409, "InstanceAlreadyBound",
                  "instance " + v.id + " is already bound to " + v.storageId + " for ever");
    if (!st.boundInstanceId.empty())
      return fail(409, "StorageInstanceAlreadyBound",
                  "storage instance " + st.id + " is already bound to " + st.boundInstanceId);
    if (v.namespaceType != st.namespaceType)
      return fail(400, "NamespaceTypeMismatch",
                  "instance and storage instance must have the same namespace type");
    v.storageId = st.id;
    v.status = InstanceStatus::Ready;
    st.boundInstanceId = v.id;
    change.batch.put(v);
    change.batch.put(st);
    change.apply.push_back([v, st](RegistryState& s) {
      s.instances[v.id] = v;
      s.storage[st.id] = st;
    });
    change.changedInstances.push_back(v.id);
    return ok(v);
  });
}

}  // namespace mqgw::resources
