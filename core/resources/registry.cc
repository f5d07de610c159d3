// Opening the registry (load, first-start bootstrap), committing changes, views and listeners.
// The resource groups are in registry_instances.cc, registry_topics.cc, registry_access.cc,
// registry_tokens.cc and registry_admission.cc.
#include <chrono>

#include "resources/bootstrap_file.h"
#include "resources/registry_impl.h"

namespace mqgw::resources {

int64_t wallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool validFreeText(std::string_view s, size_t min, size_t max) {
  size_t codePoints = 0;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
    if ((c & 0xC0) != 0x80) ++codePoints;  // not a UTF-8 continuation byte
  }
  return codePoints >= min && codePoints <= max;
}

std::unique_ptr<Registry> Registry::open(const Options& o, std::string* error) {
  auto store = MetadataStore::open(o.dbPath, error);
  if (!store) return nullptr;
  auto registry = std::make_unique<RegistryImpl>(o, std::move(store));
  if (!registry->load(error)) return nullptr;
  // A clustered node waits for the shared store: another node may have the main account.
  if (!o.deferBootstrap && !registry->bootstrapIfEmpty(error)) return nullptr;
  return registry;
}

RegistryImpl::RegistryImpl(const Options& o, std::unique_ptr<MetadataStore> store)
    : options_(o), store_(std::move(store)) {}

bool RegistryImpl::load(std::string* error) {
  MetadataStore::Contents c;
  if (!store_->load(&c, error)) return false;
  std::unique_lock lock(stateMutex_);
  RegistryState& s = state_;
  for (auto& v : c.instances) s.instances[v.id] = v;
  for (auto& v : c.storage) s.storage[v.id] = v;
  for (auto& v : c.topics) s.topics[v.instanceId][v.name] = v;
  for (auto& v : c.groups) s.groups[v.instanceId][v.name] = v;
  for (auto& v : c.accounts) s.accounts[v.id] = v;
  for (auto& v : c.accessKeys) s.accessKeys[v.id] = v;
  for (auto& v : c.tokens) s.tokens[v.value] = v;
  for (auto& v : c.credentials) {
    s.credentialByKey[v.deviceAccessKeyId] = {v.instanceId, v.clientId};
    s.credentials[v.instanceId][v.clientId] = v;
  }
  uint64_t g = ++generation_;
  for (auto& [id, instance] : s.instances) s.views[id] = buildView(id, g);
  return true;
}

bool RegistryImpl::bootstrapIfEmpty(std::string* error) {
  auto r = mutate<Done>([&](Change& c) -> Result<Done> {
    if (!state_.accounts.empty()) return ok(Done{});  // checked under writeMutex_
    int64_t now = wallClockMs();
    Account main{freshId(state_.accounts, "acc-", 12, kLowerDigits), "main", AccountKind::Main,
                 now};
    AccessKey key{freshId(state_.accessKeys, "AK", 18, kUpperDigits),
                  crypto::randomString(30, kAlnum), main.id, true, now};
    // The file first: if the database write failed after it, the next start writes a new one.
    std::string fileError;
    std::string endpoint = options_.bootstrapEndpoint.empty() ? "http://127.0.0.1:9090"
                                                              : options_.bootstrapEndpoint;
    if (!options_.bootstrapCredentialsFile.empty() &&
        !writeProfileFile(options_.bootstrapCredentialsFile, endpoint, key.id, key.secret,
                          &fileError))
      return fail(500, "InternalError", fileError);
    c.batch.put(main);
    c.batch.put(key);
    c.apply.push_back([main, key](RegistryState& s) {
      s.accounts[main.id] = main;
      s.accessKeys[key.id] = key;
    });
    return ok(Done{});
  });
  if (!r.ok()) *error = "bootstrap: " + r.error->message;
  return r.ok();
}

bool RegistryImpl::commitChange(Change& change, std::string* error) {
  if (change.batch.empty() && change.apply.empty()) return true;
  if (!store_->commit(change.batch, error)) return false;
  std::vector<std::string> keys;
  if (!change.replicated && replicating_) keys = touchedKeys(change);
  std::unique_lock lock(stateMutex_);
  uint64_t g = generation_.load() + 1;
  for (const auto& id : change.deletedInstances) {
    auto it = state_.instances.find(id);
    if (it == state_.instances.end()) continue;
    auto tombstone = std::make_shared<InstanceView>();
    tombstone->instance = it->second;
    tombstone->instance.status = InstanceStatus::Unusable;
    tombstone->generation = g;
    change.tombstones.push_back(std::move(tombstone));
  }
  for (auto& apply : change.apply) apply(state_);
  for (const auto& id : change.deletedInstances) state_.views.erase(id);
  for (const auto& id : change.changedInstances)
    if (state_.instances.count(id)) state_.views[id] = buildView(id, g);
  generation_.store(g);  // after the views: who sees g finds the views built with it
  queueRecords(keys);
  return true;
}

void RegistryImpl::announce(const Change& change) {
  std::vector<InstanceViewPtr> views;
  // The view of now, not of this change: when two changes race, the last call has the latest.
  for (const auto& id : change.changedInstances)
    if (auto v = view(id)) views.push_back(std::move(v));
  views.insert(views.end(), change.tombstones.begin(), change.tombstones.end());
  if (views.empty()) return;
  std::vector<std::function<void(const InstanceViewPtr&)>> listeners;
  {
    std::lock_guard lock(listenersMutex_);
    listeners = listeners_;
  }
  for (const auto& v : views)
    for (const auto& listener : listeners) listener(v);
}

InstanceViewPtr RegistryImpl::buildView(const std::string& instanceId, uint64_t g) const {
  auto v = std::make_shared<InstanceView>();
  v->instance = state_.instances.find(instanceId)->second;
  if (auto t = state_.topics.find(instanceId); t != state_.topics.end())
    for (const auto& [name, topic] : t->second) v->parentTopics.insert(name);
  if (auto gr = state_.groups.find(instanceId); gr != state_.groups.end())
    for (const auto& [name, group] : gr->second) v->groupIds.insert(name);
  v->generation = g;
  return v;
}

void RegistryImpl::onInstanceChanged(std::function<void(const InstanceViewPtr&)> listener) {
  std::lock_guard lock(listenersMutex_);
  listeners_.push_back(std::move(listener));
}

InstanceViewPtr RegistryImpl::view(std::string_view instanceId) const {
  std::shared_lock lock(stateMutex_);
  auto it = state_.views.find(instanceId);
  return it == state_.views.end() ? nullptr : it->second;
}

std::vector<InstanceViewPtr> RegistryImpl::views() const {
  std::shared_lock lock(stateMutex_);
  std::vector<InstanceViewPtr> out;
  for (const auto& [id, v] : state_.views) out.push_back(v);
  return out;
}

std::optional<std::pair<Caller, std::string>> RegistryImpl::findAccessKey(
    std::string_view id) const {
  std::shared_lock lock(stateMutex_);
  auto key = state_.accessKeys.find(id);
  if (key == state_.accessKeys.end() || !key->second.enabled) return std::nullopt;
  auto account = state_.accounts.find(key->second.accountId);
  if (account == state_.accounts.end()) return std::nullopt;
  Caller caller{account->second.id, account->second.kind, key->second.id};
  return std::make_pair(caller, key->second.secret);
}

Check RegistryImpl::mainOnly(const Caller& c) {
  if (c.kind == AccountKind::Main) return std::nullopt;
  return fail(403, "Forbidden.SubAccount", "only the main account may do this");
}

Check RegistryImpl::instanceExists(std::string_view id) const {
  if (state_.instances.count(id)) return std::nullopt;
  return fail(404, "InstanceNotFound", "instance " + std::string(id) + " does not exist");
}

const GroupId* RegistryImpl::findGroup(std::string_view instanceId, std::string_view name) const {
  auto groups = state_.groups.find(instanceId);
  if (groups == state_.groups.end()) return nullptr;
  auto it = groups->second.find(name);
  return it == groups->second.end() ? nullptr : &it->second;
}

const DeviceCredential* RegistryImpl::findCredential(std::string_view instanceId,
                                                     std::string_view clientId) const {
  auto creds = state_.credentials.find(instanceId);
  if (creds == state_.credentials.end()) return nullptr;
  auto it = creds->second.find(clientId);
  return it == creds->second.end() ? nullptr : &it->second;
}

}  // namespace mqgw::resources
