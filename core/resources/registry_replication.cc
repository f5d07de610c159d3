// The registry across gateway nodes (docs/decisions/0006-console-instances.md): every committed
// change leaves as records (metadata_records.h) through the replicator's sink; every record of
// the shared store, this node's own included, comes back through applyReplicated. All nodes
// apply the same sequence, so the last record of a key in the store's order wins everywhere.
#include <spdlog/spdlog.h>

#include "resources/registry_impl.h"

namespace mqgw::resources {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// "mqtt-1/demo" → {"mqtt-1", "demo"}
std::pair<std::string_view, std::string_view> splitPair(std::string_view id) {
  auto slash = id.find('/');
  if (slash == std::string_view::npos) return {id, {}};
  return {id.substr(0, slash), id.substr(slash + 1)};
}

template <class M>
const typename M::mapped_type* lookup(const M& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

void RegistryImpl::setReplicator(Sink sink) {
  std::lock_guard lock(outboxMutex_);
  replicating_ = static_cast<bool>(sink);
  sink_ = std::move(sink);
}

std::vector<std::string> RegistryImpl::touchedKeys(const Change& change) const {
  std::vector<std::string> keys = change.batch.recordKeys();
  for (const auto& id : change.deletedInstances) {
    if (const auto* topics = lookup(state_.topics, id))
      for (const auto& [name, v] : *topics) keys.push_back(recordKey(v));
    if (const auto* groups = lookup(state_.groups, id))
      for (const auto& [name, v] : *groups) keys.push_back(recordKey(v));
    if (const auto* creds = lookup(state_.credentials, id))
      for (const auto& [clientId, v] : *creds) keys.push_back(recordKey(v));
    for (const auto& [value, v] : state_.tokens)
      if (v.instanceId == id) keys.push_back(recordKey(v));
  }
  for (const auto& key : change.batch.recordKeys()) {
    if (key.rfind("account/", 0) != 0) continue;
    std::string_view account = std::string_view(key).substr(8);
    for (const auto& [id, v] : state_.accessKeys)
      if (v.accountId == account) keys.push_back(recordKey(v));
  }
  return keys;
}

void RegistryImpl::queueRecords(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  std::unordered_set<std::string_view> done;
  const int64_t now = wallClockMs();
  std::lock_guard lock(outboxMutex_);
  for (const auto& key : keys) {
    if (!done.insert(key).second) continue;
    auto row = currentRow(key);
    std::string value = row ? recordValue(*row) : std::string();
    pending_[key].push_back({value, now});
    outbox_.emplace_back(key, std::move(value));
  }
}

bool RegistryImpl::ownRecordAhead(const std::string& key, std::string_view value) {
  // A record that never reached the store is never read back: after this long it no longer
  // holds the key.
  constexpr int64_t kPendingForMs = 30000;
  auto it = pending_.find(key);
  if (it == pending_.end()) return false;
  auto& queue = it->second;
  const int64_t now = wallClockMs();
  while (!queue.empty() && queue.front().queuedMs + kPendingForMs < now) queue.pop_front();
  if (!queue.empty() && queue.front().value == value) queue.pop_front();  // our own, back
  if (!queue.empty()) return true;
  pending_.erase(it);
  return false;
}

void RegistryImpl::flushReplication() {
  std::lock_guard order(sinkMutex_);
  std::deque<std::pair<std::string, std::string>> records;
  Sink sink;
  {
    std::lock_guard lock(outboxMutex_);
    if (!replicaLoaded_ || !sink_ || outbox_.empty()) return;
    records.swap(outbox_);
    sink = sink_;
  }
  for (const auto& [key, value] : records) sink(key, value);
}

std::optional<Row> RegistryImpl::currentRow(std::string_view key) const {
  auto split = splitRecordKey(key);
  if (!split) return std::nullopt;
  const std::string& id = split->second;
  auto [first, second] = splitPair(id);
  auto found = [](const auto* v) -> std::optional<Row> {
    if (!v) return std::nullopt;
    return Row(*v);
  };
  const RegistryState& s = state_;
  switch (split->first) {
    case RecordKind::Instance: return found(lookup(s.instances, id));
    case RecordKind::Storage: return found(lookup(s.storage, id));
    case RecordKind::Topic: {
      const auto* topics = lookup(s.topics, first);
      return found(topics ? lookup(*topics, second) : nullptr);
    }
    case RecordKind::Group: return found(findGroup(first, second));
    case RecordKind::Account: return found(lookup(s.accounts, id));
    case RecordKind::AccessKey: return found(lookup(s.accessKeys, id));
    case RecordKind::Token: return found(lookup(s.tokens, id));
    case RecordKind::Credential: return found(findCredential(first, second));
  }
  return std::nullopt;
}

std::vector<std::string> RegistryImpl::allRecordKeys() const {
  std::vector<std::string> keys;
  const RegistryState& s = state_;
  for (const auto& [id, v] : s.accounts) keys.push_back(recordKey(v));
  for (const auto& [id, v] : s.accessKeys) keys.push_back(recordKey(v));
  for (const auto& [id, v] : s.storage) keys.push_back(recordKey(v));
  for (const auto& [id, v] : s.instances) keys.push_back(recordKey(v));
  for (const auto& [iid, topics] : s.topics)
    for (const auto& [name, v] : topics) keys.push_back(recordKey(v));
  for (const auto& [iid, groups] : s.groups)
    for (const auto& [name, v] : groups) keys.push_back(recordKey(v));
  for (const auto& [value, v] : s.tokens) keys.push_back(recordKey(v));
  for (const auto& [iid, creds] : s.credentials)
    for (const auto& [clientId, v] : creds) keys.push_back(recordKey(v));
  return keys;
}

void RegistryImpl::addReplicatedUpsert(Change& change, const Row& row) {
  std::visit(Overloaded{
      [&](const Instance& v) {
        change.batch.put(v);
        change.apply.push_back([v](RegistryState& s) { s.instances[v.id] = v; });
        change.changedInstances.push_back(v.id);
      },
      [&](const StorageInstance& v) {
        change.batch.put(v);
        change.apply.push_back([v](RegistryState& s) { s.storage[v.id] = v; });
      },
      [&](const ParentTopic& v) {
        change.batch.put(v);
        change.apply.push_back([v](RegistryState& s) { s.topics[v.instanceId][v.name] = v; });
        change.changedInstances.push_back(v.instanceId);
      },
      [&](const GroupId& v) {
        change.batch.put(v);
        change.apply.push_back([v](RegistryState& s) { s.groups[v.instanceId][v.name] = v; });
        change.changedInstances.push_back(v.instanceId);
      },
      [&](const Account& v) {
        // Names are unique: an older account of the same name (two nodes created it at
        // once) loses to this later record, as every node decides alike.
        for (const auto& [id, other] : state_.accounts)
          if (other.name == v.name && id != v.id) addAccountErase(change, id);
        change.batch.put(v);
        change.apply.push_back([v](RegistryState& s) { s.accounts[v.id] = v; });
      },
      [&](const AccessKey& v) {
        change.batch.put(v);
        change.apply.push_back([v](RegistryState& s) { s.accessKeys[v.id] = v; });
      },
      [&](const Token& v) {
        change.batch.put(v);
        change.apply.push_back([v](RegistryState& s) { s.tokens[v.value] = v; });
      },
      [&](const DeviceCredential& v) {
        // Key ids are unique too: whoever held this one, and this Client ID's old key, go.
        if (const auto* holder = lookup(state_.credentialByKey, v.deviceAccessKeyId))
          if (holder->first != v.instanceId || holder->second != v.clientId)
            if (const auto* other = findCredential(holder->first, holder->second))
              addReplicatedErase(change, *other);
        change.batch.put(v);
        const DeviceCredential* old = findCredential(v.instanceId, v.clientId);
        std::string oldKey = old ? old->deviceAccessKeyId : "";
        change.apply.push_back([v, oldKey](RegistryState& s) {
          if (!oldKey.empty()) s.credentialByKey.erase(oldKey);
          s.credentials[v.instanceId][v.clientId] = v;
          s.credentialByKey[v.deviceAccessKeyId] = {v.instanceId, v.clientId};
        });
      }},
      row);
}

void RegistryImpl::addReplicatedErase(Change& change, const Row& current) {
  std::visit(Overloaded{
      [&](const Instance& v) { addInstanceErase(change, v.id); },
      [&](const StorageInstance& v) {
        change.batch.eraseStorage(v.id);
        change.apply.push_back([id = v.id](RegistryState& s) { s.storage.erase(id); });
      },
      [&](const ParentTopic& v) {
        change.batch.eraseTopic(v.instanceId, v.name);
        change.apply.push_back([v](RegistryState& s) { s.topics[v.instanceId].erase(v.name); });
        change.changedInstances.push_back(v.instanceId);
      },
      [&](const GroupId& v) {
        change.batch.eraseGroup(v.instanceId, v.name);
        change.apply.push_back([v](RegistryState& s) { s.groups[v.instanceId].erase(v.name); });
        change.changedInstances.push_back(v.instanceId);
      },
      [&](const Account& v) { addAccountErase(change, v.id); },
      [&](const AccessKey& v) {
        change.batch.eraseAccessKey(v.id);
        change.apply.push_back([id = v.id](RegistryState& s) { s.accessKeys.erase(id); });
      },
      [&](const Token& v) {
        change.batch.eraseToken(v.value);
        change.apply.push_back([id = v.value](RegistryState& s) { s.tokens.erase(id); });
      },
      [&](const DeviceCredential& v) {
        change.batch.eraseCredential(v.instanceId, v.clientId);
        change.apply.push_back([v](RegistryState& s) {
          s.credentials[v.instanceId].erase(v.clientId);
          s.credentialByKey.erase(v.deviceAccessKeyId);
        });
      }},
      current);
}

void RegistryImpl::applyReplicated(std::string_view key, std::string_view value) {
  Change change;
  change.replicated = true;  // never back to the sink: the store already has it
  {
    std::lock_guard lock(writeMutex_);
    if (!replicaLoaded_) seenKeys_.insert(std::string(key));
    if (ownRecordAhead(std::string(key), value)) return;
    std::optional<Row> incoming;
    if (!value.empty() && !(incoming = parseRecord(key, value))) {
      spdlog::warn("console metadata: ignoring a malformed record for '{}'", key);
      return;
    }
    std::optional<Row> current = currentRow(key);
    if (!incoming && !current) return;  // deleted here already
    if (incoming && current && recordValue(*incoming) == recordValue(*current)) return;
    if (incoming) addReplicatedUpsert(change, *incoming);
    else addReplicatedErase(change, *current);
    std::string error;
    if (!commitChange(change, &error)) {
      spdlog::error("console metadata: storing the record for '{}' failed: {}", key, error);
      return;
    }
  }
  announce(change);
}

void RegistryImpl::finishReplicatedLoad() {
  {
    std::lock_guard lock(writeMutex_);
    if (replicaLoaded_) return;
    // Rows the shared store never had (this node ran alone before, or its records were lost):
    // published now, so that every node gets them.
    std::vector<std::string> unseen;
    for (auto& key : allRecordKeys())
      if (!seenKeys_.count(key)) unseen.push_back(std::move(key));
    if (replicating_) queueRecords(unseen);  // only writers change state_: it holds still
    seenKeys_.clear();
    replicaLoaded_ = true;
    if (!unseen.empty())
      spdlog::info("console metadata: publishing {} local records the cluster did not have",
                   unseen.size());
  }
  if (options_.deferBootstrap) {
    std::string error;
    if (!bootstrapIfEmpty(&error)) spdlog::error("console: {}", error);
  }
  flushReplication();
}

}  // namespace mqgw::resources
