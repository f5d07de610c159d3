// An in-memory Registry for the management API's tests: maps, a few of the real rules (main
// account only for instances and accounts, not found, already bound), no persistence.
#pragma once

#include <map>
#include <string>

#include "resources/registry.h"

namespace mqgw::api::testing {

using namespace resources;

class FakeRegistry : public Registry {
 public:
  std::map<std::string, std::pair<Caller, std::string>> keys;  // id -> caller, secret
  std::map<std::string, Instance> instances;
  std::map<std::string, StorageInstance> storages;
  std::map<std::string, ParentTopic> topics;  // instance + "/" + name
  std::map<std::string, GroupId> groups;
  std::map<std::string, Account> accounts;
  std::map<std::string, Token> tokens;
  std::map<std::string, DeviceCredential> credentials;  // instance + "/" + client
  int counter = 0;
  std::string lastSpecUpdateId;

  std::string next(const char* prefix) { return prefix + std::to_string(++counter); }

  template <class T>
  static Result<T> ok(T v) {
    Result<T> r;
    r.value = std::move(v);
    return r;
  }
  template <class T>
  static Result<T> missing(const char* what) {
    return Result<T>::fail(404, std::string(what) + "NotFound", "no such thing");
  }
  template <class T>
  static Result<T> mainOnly(const Caller& c) {
    if (c.kind == AccountKind::Main) return {};
    return Result<T>::fail(403, "Forbidden.SubAccount", "main account only");
  }

  std::optional<std::pair<Caller, std::string>> findAccessKey(std::string_view id) const override {
    auto it = keys.find(std::string(id));
    if (it == keys.end()) return std::nullopt;
    return it->second;
  }

  Result<Instance> createInstance(const Caller& c, const InstanceRequest& r) override {
    if (auto e = mainOnly<Instance>(c); e.error) return e;
    Instance i{next("mqtt-"), r.name, r.region.empty() ? "local" : r.region, r.namespaceType,
               r.spec, "", InstanceStatus::Unbound, c.accountId, 1000};
    return ok(instances[i.id] = i);
  }
  Result<std::vector<Instance>> listInstances(const Caller&) const override {
    std::vector<Instance> out;
    for (auto& [id, i] : instances) out.push_back(i);
    return ok(out);
  }
  Result<Instance> getInstance(const Caller&, std::string_view id) const override {
    auto it = instances.find(std::string(id));
    return it == instances.end() ? missing<Instance>("Instance") : ok(it->second);
  }
  Result<Done> deleteInstance(const Caller& c, std::string_view id) override {
    if (auto e = mainOnly<Done>(c); e.error) return e;
    return instances.erase(std::string(id)) ? ok(Done{}) : missing<Done>("Instance");
  }
  Result<Instance> updateSpec(const Caller&, std::string_view id, const Spec& s) override {
    auto it = instances.find(std::string(id));
    if (it == instances.end()) return missing<Instance>("Instance");
    lastSpecUpdateId = id;
    it->second.spec = s;
    return ok(it->second);
  }

  Result<StorageInstance> createStorage(const Caller&, const StorageRequest& r) override {
    StorageInstance s{next("store-"), r.name, r.kind, r.namespaceType, r.settings, "", 2000};
    return ok(storages[s.id] = s);
  }
  Result<std::vector<StorageInstance>> listStorage(const Caller&) const override {
    std::vector<StorageInstance> out;
    for (auto& [id, s] : storages) out.push_back(s);
    return ok(out);
  }
  Result<StorageInstance> getStorage(const Caller&, std::string_view id) const override {
    auto it = storages.find(std::string(id));
    return it == storages.end() ? missing<StorageInstance>("StorageInstance") : ok(it->second);
  }
  Result<Done> deleteStorage(const Caller&, std::string_view id) override {
    return storages.erase(std::string(id)) ? ok(Done{}) : missing<Done>("StorageInstance");
  }
  Result<Instance> bind(const Caller&, std::string_view iid, std::string_view sid) override {
    auto i = instances.find(std::string(iid));
    auto s = storages.find(std::string(sid));
    if (i == instances.end()) return missing<Instance>("Instance");
    if (s == storages.end()) return missing<Instance>("StorageInstance");
    if (!i->second.storageId.empty())
      return Result<Instance>::fail(409, "InstanceAlreadyBound", "bound for ever");
    i->second.storageId = s->first;
    i->second.status = InstanceStatus::Ready;
    s->second.boundInstanceId = i->first;
    return ok(i->second);
  }

  Result<ParentTopic> createTopic(const Caller&, std::string_view iid, std::string_view name,
                                  MessageType type, std::string_view remark) override {
    if (!instances.count(std::string(iid))) return missing<ParentTopic>("Instance");
    ParentTopic t{std::string(iid), std::string(name), type, std::string(remark), 3000};
    return ok(topics[t.instanceId + "/" + t.name] = t);
  }
  Result<std::vector<ParentTopic>> listTopics(const Caller&, std::string_view iid) const override {
    std::vector<ParentTopic> out;
    for (auto& [k, t] : topics)
      if (t.instanceId == iid) out.push_back(t);
    return ok(out);
  }
  Result<Done> deleteTopic(const Caller&, std::string_view iid, std::string_view n) override {
    return topics.erase(std::string(iid) + "/" + std::string(n)) ? ok(Done{})
                                                                 : missing<Done>("Topic");
  }
  Result<GroupId> createGroup(const Caller& c, std::string_view iid,
                              std::string_view name) override {
    GroupId g{std::string(iid), std::string(name), c.accountId, 4000};
    return ok(groups[g.instanceId + "/" + g.name] = g);
  }
  Result<std::vector<GroupId>> listGroups(const Caller&, std::string_view iid) const override {
    std::vector<GroupId> out;
    for (auto& [k, g] : groups)
      if (g.instanceId == iid) out.push_back(g);
    return ok(out);
  }
  Result<Done> deleteGroup(const Caller&, std::string_view iid, std::string_view n) override {
    return groups.erase(std::string(iid) + "/" + std::string(n)) ? ok(Done{})
                                                                 : missing<Done>("GroupId");
  }

  Result<Account> createSubAccount(const Caller& c, std::string_view name) override {
    if (auto e = mainOnly<Account>(c); e.error) return e;
    Account a{next("acc-"), std::string(name), AccountKind::Sub, 5000};
    return ok(accounts[a.id] = a);
  }
  Result<std::vector<Account>> listAccounts(const Caller&) const override {
    std::vector<Account> out;
    for (auto& [id, a] : accounts) out.push_back(a);
    return ok(out);
  }
  Result<Done> deleteAccount(const Caller&, std::string_view id) override {
    return accounts.erase(std::string(id)) ? ok(Done{}) : missing<Done>("Account");
  }
  Result<AccessKey> createAccessKey(const Caller& c, std::string_view account) override {
    AccessKey k{next("AK"), "secret" + std::to_string(counter),
                account.empty() ? c.accountId : std::string(account), true, 6000};
    keys[k.id] = {Caller{k.accountId, AccountKind::Sub, k.id}, k.secret};
    return ok(k);
  }
  Result<std::vector<AccessKey>> listAccessKeys(const Caller& c,
                                                std::string_view account) const override {
    std::vector<AccessKey> out;  // deliberately leaves secrets in: the API must blank them
    for (auto& [id, v] : keys)
      if (v.first.accountId == (account.empty() ? c.accountId : std::string(account)))
        out.push_back(AccessKey{id, v.second, v.first.accountId, true, 6000});
    return ok(out);
  }
  Result<Done> deleteAccessKey(const Caller&, std::string_view id) override {
    return keys.erase(std::string(id)) ? ok(Done{}) : missing<Done>("AccessKey");
  }

  Result<Token> applyToken(const Caller& c, std::string_view iid,
                           const std::vector<std::string>& res, uint8_t actions,
                           int64_t expireMs) override {
    Token t{next("tok"), std::string(iid), c.accessKeyId, res, actions, expireMs, false, 7000};
    return ok(tokens[t.value] = t);
  }
  Result<Token> queryToken(const Caller&, std::string_view iid,
                           std::string_view token) const override {
    auto it = tokens.find(std::string(token));
    if (it == tokens.end() || it->second.instanceId != iid) return missing<Token>("Token");
    return ok(it->second);
  }
  Result<Done> revokeToken(const Caller&, std::string_view, std::string_view token) override {
    auto it = tokens.find(std::string(token));
    if (it == tokens.end()) return missing<Done>("Token");
    it->second.revoked = true;
    return ok(Done{});
  }

  Result<DeviceCredential> registerCredential(const Caller&, std::string_view iid,
                                              std::string_view cid) override {
    DeviceCredential d{std::string(iid), std::string(cid), next("DK"), "dsecret", 8000, 8000};
    return ok(credentials[d.instanceId + "/" + d.clientId] = d);
  }
  Result<DeviceCredential> getCredential(const Caller&, std::string_view iid,
                                         std::string_view cid) const override {
    auto it = credentials.find(std::string(iid) + "/" + std::string(cid));
    return it == credentials.end() ? missing<DeviceCredential>("DeviceCredential")
                                   : ok(it->second);
  }
  Result<Done> unregisterCredential(const Caller&, std::string_view iid,
                                    std::string_view cid) override {
    return credentials.erase(std::string(iid) + "/" + std::string(cid))
               ? ok(Done{})
               : missing<Done>("DeviceCredential");
  }
  Result<DeviceCredential> refreshCredential(const Caller&, std::string_view iid,
                                             std::string_view cid) override {
    auto it = credentials.find(std::string(iid) + "/" + std::string(cid));
    if (it == credentials.end()) return missing<DeviceCredential>("DeviceCredential");
    it->second.deviceAccessKeySecret = "refreshed" + std::to_string(++counter);
    it->second.updatedMs = 9000;
    return ok(it->second);
  }

  Admission admit(const AdmitRequest&) const override { return {}; }
  bool grantsStillValid(const std::vector<Grant>&) const override { return true; }
  InstanceViewPtr view(std::string_view) const override { return nullptr; }
  std::vector<InstanceViewPtr> views() const override { return {}; }
  uint64_t generation() const override { return 0; }
  void onInstanceChanged(std::function<void(const InstanceViewPtr&)>) override {}
  // Replication is the real registry's business (tests/unit/resources); nothing to do here.
  void setReplicator(std::function<void(const std::string&, const std::string&)>) override {}
  void applyReplicated(std::string_view, std::string_view) override {}
  void finishReplicatedLoad() override {}
};

}  // namespace mqgw::api::testing
