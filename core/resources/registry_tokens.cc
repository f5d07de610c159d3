// Tokens (ApplyToken / QueryToken / RevokeToken) and device credentials (Register / Get /
// UnRegister / RefreshDeviceCredential). Any account may use them.
#include "resources/registry_impl.h"
#include "resources/topic_policy.h"
#include "router/topic_rules.h"

namespace mqgw::resources {
namespace {

constexpr int64_t kMinTokenLifeMs = 60 * 1000;
constexpr int64_t kMaxTokenLifeMs = 30LL * 24 * 3600 * 1000;
// A client that asks for exactly "now + 60 s" reaches us a little later: forgive that much.
constexpr int64_t kRequestLatencyGraceMs = 500;
constexpr size_t kMaxTokenResources = 100;

Failure credentialNotFound(std::string_view clientId) {
  return fail(404, "DeviceCredentialNotFound",
              "Client ID " + std::string(clientId) + " has no device credential");
}

}  // namespace

Result<Token> RegistryImpl::applyToken(const Caller& c, std::string_view instanceId,
                                       const std::vector<std::string>& resources,
                                       uint8_t actions, int64_t expireMs) {
  if (actions == 0 || (actions & ~(kRead | kWrite)) != 0)
    return fail(400, "InvalidParameter.Actions", "Actions must be R, W or R,W");
  int64_t now = wallClockMs();
  int64_t life = expireMs - now;
  if (life < kMinTokenLifeMs - kRequestLatencyGraceMs || life > kMaxTokenLifeMs)
    return fail(400, "InvalidParameter.ExpireTime",
                "ExpireTime must be between 60 seconds and 30 days from now");
  if (resources.empty() || resources.size() > kMaxTokenResources)
    return fail(400, "InvalidParameter.Resources", "Resources must hold 1..100 topic filters");
  return mutate<Token>([&](Change& change) -> Result<Token> {
    if (auto f = instanceExists(instanceId)) return *f;
    const InstanceView& view = *state_.views.find(instanceId)->second;
    for (const auto& filter : resources) {
      std::string why = router::validTopicFilter(filter)
                            ? checkTopicFilter(view, filter, router::kMaxTopicLength)
                            : "not a valid MQTT topic filter";
      if (!why.empty())
        return fail(400, "InvalidParameter.Resources", "resource '" + filter + "': " + why);
    }
    Token v{freshId(state_.tokens, "", 48, kAlnum), std::string(instanceId), c.accessKeyId,
            resources, actions, expireMs, false, now};
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.tokens[v.value] = v; });
    return ok(v);
  });
}

Result<Token> RegistryImpl::queryToken(const Caller&, std::string_view instanceId,
                                       std::string_view token) const {
  std::shared_lock lock(stateMutex_);
  if (auto f = instanceExists(instanceId)) return *f;
  auto it = state_.tokens.find(token);
  if (it == state_.tokens.end() || it->second.instanceId != instanceId)
    return fail(404, "TokenNotFound", "no such token in the instance");
  return ok(it->second);
}

Result<Done> RegistryImpl::revokeToken(const Caller&, std::string_view instanceId,
                                       std::string_view token) {
  return mutate<Done>([&](Change& change) -> Result<Done> {
    if (auto f = instanceExists(instanceId)) return *f;
    auto it = state_.tokens.find(token);
    if (it == state_.tokens.end() || it->second.instanceId != instanceId)
      return fail(404, "TokenNotFound", "no such token in the instance");
    Token v = it->second;
    v.revoked = true;
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.tokens[v.value] = v; });
    return ok(Done{});
  });
}

Result<DeviceCredential> RegistryImpl::registerCredential(const Caller& c,
                                                          std::string_view instanceId,
                                                          std::string_view clientId) {
  auto parts = splitClientId(clientId);
  if (!parts)
    return fail(400, "InvalidParameter.ClientId",
                "a Client ID is <GroupID>@@@<DeviceID>, at most 64 characters");
  return mutate<DeviceCredential>([&](Change& change) -> Result<DeviceCredential> {
    if (auto f = instanceExists(instanceId)) return *f;
    const GroupId* group = findGroup(instanceId, parts->first);
    if (!group)
      return fail(404, "GroupIdNotFound",
                  "Group ID " + std::string(parts->first) + " does not exist in the instance");
    if (c.kind != AccountKind::Main && group->ownerAccountId != c.accountId)
      return fail(403, "Forbidden.GroupOwner", "the Group ID belongs to another account");
    auto creds = state_.credentials.find(instanceId);
    if (creds != state_.credentials.end() && creds->second.count(clientId))
      return fail(409, "DeviceCredentialAlreadyExists",
                  "Client ID " + std::string(clientId) + " already has a device credential");
    int64_t now = wallClockMs();
    DeviceCredential v{std::string(instanceId), std::string(clientId),
                       freshId(state_.credentialByKey, "DK", 18, kUpperDigits),
                       crypto::randomString(30, kAlnum), now, now};
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) {
      s.credentials[v.instanceId][v.clientId] = v;
      s.credentialByKey[v.deviceAccessKeyId] = {v.instanceId, v.clientId};
    });
    return ok(v);
  });
}

Result<DeviceCredential> RegistryImpl::getCredential(const Caller&, std::string_view instanceId,
                                                     std::string_view clientId) const {
  std::shared_lock lock(stateMutex_);
  if (auto f = instanceExists(instanceId)) return *f;
  const DeviceCredential* v = findCredential(instanceId, clientId);
  if (!v) return credentialNotFound(clientId);
  return ok(*v);
}

Result<Done> RegistryImpl::unregisterCredential(const Caller&, std::string_view instanceId,
                                                std::string_view clientId) {
  return mutate<Done>([&](Change& change) -> Result<Done> {
    if (auto f = instanceExists(instanceId)) return *f;
    const DeviceCredential* found = findCredential(instanceId, clientId);
    if (!found) return credentialNotFound(clientId);
    DeviceCredential v = *found;
    change.batch.eraseCredential(v.instanceId, v.clientId);
    change.apply.push_back([v](RegistryState& s) {
      s.credentials[v.instanceId].erase(v.clientId);
      s.credentialByKey.erase(v.deviceAccessKeyId);
    });
    return ok(Done{});
  });
}

// Same DeviceAccessKeyId, new secret: passwords made with the old secret stop working.
Result<DeviceCredential> RegistryImpl::refreshCredential(const Caller&,
                                                         std::string_view instanceId,
                                                         std::string_view clientId) {
  return mutate<DeviceCredential>([&](Change& change) -> Result<DeviceCredential> {
    if (auto f = instanceExists(instanceId)) return *f;
    const DeviceCredential* found = findCredential(instanceId, clientId);
    if (!found) return credentialNotFound(clientId);
    DeviceCredential v = *found;
    std::string secret;
    do secret = crypto::randomString(30, kAlnum);
    while (secret == v.deviceAccessKeySecret);
    v.deviceAccessKeySecret = secret;
    v.updatedMs = wallClockMs();
    change.batch.put(v);
    change.apply.push_back([v](RegistryState& s) { s.credentials[v.instanceId][v.clientId] = v; });
    return ok(v);
  });
}

}  // namespace mqgw::resources
