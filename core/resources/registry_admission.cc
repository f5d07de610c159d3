// Admission of a device's CONNECT in the three username modes (PRODUCT.md, "Authentication"):
//   Signature|<AccessKeyId>|<InstanceId>         password Base64(HMAC-SHA1(secret, ClientId))
//   Token|<AccessKeyId>|<InstanceId>             password R|<token>|W|<token> or RW|<token> ...
//   DeviceCredential|<DeviceAccessKeyId>|<InstanceId>   password like Signature's
// Reasons name what failed but never a secret, a token or a password.
#include <optional>

#include "resources/registry_impl.h"
#include "resources/topic_policy.h"

namespace mqgw::resources {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == s.npos ? s.npos : at - start));
    if (at == s.npos) return parts;
    start = at + 1;
  }
}

struct Username {
  AuthMode mode;
  std::string_view keyId;
  std::string_view instanceId;
};

std::optional<Username> parseUsername(std::string_view username) {
  auto parts = split(username, '|');
  if (parts.size() != 3 || parts[1].empty() || parts[2].empty()) return std::nullopt;
  if (parts[0] == "Signature") return Username{AuthMode::Signature, parts[1], parts[2]};
  if (parts[0] == "Token") return Username{AuthMode::Token, parts[1], parts[2]};
  if (parts[0] == "DeviceCredential")
    return Username{AuthMode::DeviceCredential, parts[1], parts[2]};
  return std::nullopt;
}

struct PresentedToken {
  uint8_t type;  // TokenAction bits of the type word
  std::string_view value;
};

// "<type>|<token>" pairs, each type word (R, W, RW) at most once.
std::optional<std::vector<PresentedToken>> parseTokenPassword(std::string_view password) {
  auto parts = split(password, '|');
  if (parts.size() % 2 != 0) return std::nullopt;
  std::vector<PresentedToken> out;
  uint8_t seenWords = 0;  // bit per type word: 1 R, 2 W, 4 RW
  for (size_t i = 0; i < parts.size(); i += 2) {
    std::string_view word = parts[i];
    uint8_t type = word == "R" ? kRead : word == "W" ? kWrite : word == "RW" ? kRead | kWrite : 0;
    uint8_t wordBit = word == "RW" ? 4 : type;
    if (type == 0 || (seenWords & wordBit) || parts[i + 1].empty()) return std::nullopt;
    seenWords |= wordBit;
    out.push_back({type, parts[i + 1]});
  }
  return out;
}

}  // namespace

bool isConsoleUsername(std::string_view username) {
  return username.starts_with("Signature|") || username.starts_with("Token|") ||
         username.starts_with("DeviceCredential|");
}

Admission RegistryImpl::refuse(Refusal why, std::string reason) const {
  Admission a;
  a.refusal = why;
  a.reason = std::move(reason);
  return a;
}

Admission RegistryImpl::admit(const AdmitRequest& r) const {
  std::shared_lock lock(stateMutex_);
  return admitLocked(r);
}

Admission RegistryImpl::admitLocked(const AdmitRequest& r) const {
  auto user = parseUsername(r.username);
  if (!user)
    return refuse(Refusal::BadCredentials,
                  "malformed username: expected Signature|Token|DeviceCredential, an id and an "
                  "instance id separated by '|'");
  std::string instanceId(user->instanceId);
  auto instance = state_.instances.find(instanceId);
  if (instance == state_.instances.end())
    return refuse(Refusal::BadCredentials, "instance " + instanceId + " does not exist");
  auto parts = splitClientId(r.clientId);
  if (!parts)
    return refuse(Refusal::BadClientId,
                  "the Client ID must be <GroupID>@@@<DeviceID>, at most 64 of [A-Za-z0-9_-]");
  const GroupId* group = findGroup(instanceId, parts->first);
  if (!group)
    return refuse(Refusal::BadClientId, "Group ID " + std::string(parts->first) +
                                            " does not exist in instance " + instanceId);
  if (!r.hasPassword) return refuse(Refusal::BadCredentials, "a password is required");

  Admission a;
  a.mode = user->mode;
  if (user->mode == AuthMode::DeviceCredential) {
    auto where = state_.credentialByKey.find(user->keyId);
    if (where == state_.credentialByKey.end())
      return refuse(Refusal::BadCredentials, "unknown DeviceAccessKeyId");
    if (where->second.first != instanceId || where->second.second != r.clientId)
      return refuse(Refusal::NotAuthorized,
                    "the device credential belongs to another Client ID or instance");
    const DeviceCredential* cred = findCredential(instanceId, r.clientId);
    if (!crypto::constantTimeEquals(crypto::devicePassword(cred->deviceAccessKeySecret,
                                                           r.clientId),
                                    r.password))
      return refuse(Refusal::BadCredentials, "the password does not match the device credential");
    a.accountId = group->ownerAccountId;
  } else {
    auto key = state_.accessKeys.find(user->keyId);
    if (key == state_.accessKeys.end() || !key->second.enabled ||
        !state_.accounts.count(key->second.accountId))
      return refuse(Refusal::BadCredentials, "unknown AccessKeyId");
    if (group->ownerAccountId != key->second.accountId)
      return refuse(Refusal::NotAuthorized,
                    "Group ID " + group->name + " belongs to another account");
    a.accountId = key->second.accountId;
    if (user->mode == AuthMode::Signature) {
      if (!crypto::constantTimeEquals(crypto::devicePassword(key->second.secret, r.clientId),
                                      r.password))
        return refuse(Refusal::BadCredentials, "the signature does not match");
    } else {
      Refusal why = Refusal::None;
      std::string reason;
      a.grants = tokenGrants(r, key->second.id, instanceId, &why, &reason);
      if (why != Refusal::None) return refuse(why, std::move(reason));
    }
  }
  if (instance->second.status == InstanceStatus::Unbound)
    return refuse(Refusal::Unavailable, "instance " + instanceId + " is not bound to storage");
  if (instance->second.status == InstanceStatus::Unusable)
    return refuse(Refusal::Unavailable,
                  "instance " + instanceId + " is unusable: its storage instance was deleted");
  a.view = state_.views.find(instanceId)->second;
  return a;
}

// Every token of a Token-mode password must be usable by this key in this instance now.
std::vector<Grant> RegistryImpl::tokenGrants(const AdmitRequest& r, const std::string& keyId,
                                             const std::string& instanceId, Refusal* why,
                                             std::string* reason) const {
  auto presented = parseTokenPassword(r.password);
  if (!presented) {
    *why = Refusal::BadCredentials;
    *reason = "malformed token password: expected R|<token>, W|<token> or RW|<token> pairs";
    return {};
  }
  std::vector<Grant> grants;
  for (const auto& p : *presented) {
    auto it = state_.tokens.find(p.value);
    const char* problem = nullptr;
    if (it == state_.tokens.end() || it->second.instanceId != instanceId) {
      *why = Refusal::BadCredentials;
      *reason = "unknown token";
      return {};
    }
    const Token& t = it->second;
    if (t.accessKeyId != keyId) problem = "a token was applied for by another AccessKey";
    else if (t.revoked) problem = "a token was revoked";
    else if (t.expireMs <= r.nowMs) problem = "a token has expired";
    else if ((t.actions & p.type) != p.type) problem = "a token does not grant its type's actions";
    if (problem) {
      *why = Refusal::NotAuthorized;
      *reason = problem;
      return {};
    }
    grants.push_back(Grant{t.value, t.resources, p.type, t.expireMs});
  }
  return grants;
}

bool RegistryImpl::grantsStillValid(const std::vector<Grant>& grants) const {
  std::shared_lock lock(stateMutex_);
  for (const auto& g : grants) {
    auto it = state_.tokens.find(g.token);
    if (it == state_.tokens.end() || it->second.revoked) return false;
  }
  return true;
}

}  // namespace mqgw::resources
