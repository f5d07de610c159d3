// Accounts and AccessKeys: the main account manages them; a sub-account may only list its own
// keys. Deleting an account deletes its keys (its Group IDs stay, owned by nobody who can log in).
#include <cctype>

#include "resources/registry_impl.h"

namespace mqgw::resources {
namespace {

bool validAccountName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  return true;
}

Failure accountNotFound(std::string_view id) {
  return fail(404, "AccountNotFound", "account " + std::string(id) + " does not exist");
}

}  // namespace

void addAccountErase(Change& change, const std::string& id) {
  change.batch.eraseAccount(id);
  change.apply.push_back([id](RegistryState& s) {
    s.accounts.erase(id);
    std::erase_if(s.accessKeys, [&](const auto& k) { return k.second.accountId == id; });
  });
}

Result<Account> RegistryImpl::createSubAccount(const Caller& c, std::string_view name) {
  if (auto f = mainOnly(c)) return *f;
  if (!validAccountName(name))
    return fail(400, "InvalidParameter.AccountName", "AccountName is 1..64 of [A-Za-z0-9_.-]");
  return mutate<Account>([&](Change& change) -> Result<Account> {
    for (const auto& [id, a] : state_.accounts)
      if (a.name == name)
        return fail(409, "AccountAlreadyExists",
                    "an account named " + std::string(name) + " already exists");
    Account v{freshId(state_.accounts, "acc-", 12, kLowerDigits), std::string(name),
              AccountKind::Sub, wallClockMs()};
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.accounts[v.id] = v; });
    return ok(v);
  });
}

Result<std::vector<Account>> RegistryImpl::listAccounts(const Caller& c) const {
  if (auto f = mainOnly(c)) return *f;
  std::shared_lock lock(stateMutex_);
  std::vector<Account> out;
  for (const auto& [id, a] : state_.accounts) out.push_back(a);
  return ok(std::move(out));
}

Result<Done> RegistryImpl::deleteAccount(const Caller& c, std::string_view accountId) {
  if (auto f = mainOnly(c)) return *f;
  return mutate<Done>([&](Change& change) -> Result<Done> {
    auto it = state_.accounts.find(accountId);
    if (it == state_.accounts.end()) return accountNotFound(accountId);
    if (it->second.kind == AccountKind::Main)
      return fail(400, "InvalidParameter.AccountId", "the main account cannot be deleted");
    addAccountErase(change, std::string(accountId));
    return ok(Done{});
  });
}

Result<AccessKey> RegistryImpl::createAccessKey(const Caller& c, std::string_view accountId) {
  if (auto f = mainOnly(c)) return *f;
  std::string owner(accountId.empty() ? std::string_view(c.accountId) : accountId);
  return mutate<AccessKey>([&](Change& change) -> Result<AccessKey> {
    if (!state_.accounts.count(owner)) return accountNotFound(owner);
    AccessKey v{freshId(state_.accessKeys, "AK", 18, kUpperDigits),
                crypto::randomString(30, kAlnum), owner, true, wallClockMs()};
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.accessKeys[v.id] = v; });
    return ok(v);
  });
}

Result<std::vector<AccessKey>> RegistryImpl::listAccessKeys(const Caller& c,
                                                            std::string_view accountId) const {
  std::string owner(accountId.empty() ? std::string_view(c.accountId) : accountId);
  if (owner != c.accountId)
    if (auto f = mainOnly(c)) return *f;
  std::shared_lock lock(stateMutex_);
  if (!state_.accounts.count(owner)) return accountNotFound(owner);
  std::vector<AccessKey> out;
  for (const auto& [id, k] : state_.accessKeys) {
    if (k.accountId != owner) continue;
    out.push_back(k);
    out.back().secret.clear();  // shown once, by createAccessKey
  }
  return ok(std::move(out));
}

Result<Done> RegistryImpl::deleteAccessKey(const Caller& c, std::string_view accessKeyId) {
  if (auto f = mainOnly(c)) return *f;
  return mutate<Done>([&](Change& change) -> Result<Done> {
    auto it = state_.accessKeys.find(accessKeyId);
    if (it == state_.accessKeys.end())
      return fail(404, "AccessKeyNotFound",
                  "AccessKey " + std::string(accessKeyId) + " does not exist");
    // Without a key of the main account nobody could call the API again.
    auto account = state_.accounts.find(it->second.accountId);
    if (account != state_.accounts.end() && account->second.kind == AccountKind::Main) {
      size_t mainKeys = 0;
      for (const auto& [id, k] : state_.accessKeys)
        if (k.accountId == it->second.accountId && k.enabled) ++mainKeys;
      if (mainKeys <= 1)
        return fail(409, "LastAccessKey", "the main account's last AccessKey cannot be deleted");
    }
    std::string id(accessKeyId);
    change.batch.eraseAccessKey(id);
    change.apply.push_back([id](RegistryState& s) { s.accessKeys.erase(id); });
    return ok(Done{});
  });
}

}  // namespace mqgw::resources
