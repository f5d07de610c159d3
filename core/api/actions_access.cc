// Who may do what: accounts, AccessKeys, tokens and device credentials.
#include "api/actions.h"

namespace mqgw::api {
namespace {

using nlohmann::json;

void addAccountActions(ActionTable& t) {
  t["CreateAccount"] = sync([](ActionContext& c) -> Outcome {
    std::string name = c.params.requiredString("AccountName");
    MQGW_API_CHECK_PARAMS(c);
    return single(c.registry.createSubAccount(c.caller, name), "Account");
  });
  t["ListAccounts"] = sync([](ActionContext& c) -> Outcome {
    return list(c.registry.listAccounts(c.caller), "Accounts");
  });
  t["DeleteAccount"] = sync([](ActionContext& c) -> Outcome {
    std::string id = c.params.requiredString("AccountId");
    MQGW_API_CHECK_PARAMS(c);
    return nothing(c.registry.deleteAccount(c.caller, id));
  });
  t["CreateAccessKey"] = sync([](ActionContext& c) -> Outcome {
    std::string account = c.params.optionalString("AccountId").value_or("");
    MQGW_API_CHECK_PARAMS(c);
    return single(c.registry.createAccessKey(c.caller, account), "AccessKey");
  });
  t["ListAccessKeys"] = sync([](ActionContext& c) -> Outcome {
    std::string account = c.params.optionalString("AccountId").value_or("");
    MQGW_API_CHECK_PARAMS(c);
    auto keys = c.registry.listAccessKeys(c.caller, account);
    if (keys.ok())
      for (auto& k : *keys.value) k.secret.clear();  // never listed, whatever the store says
    return list(keys, "AccessKeys");
  });
  t["DeleteAccessKey"] = sync([](ActionContext& c) -> Outcome {
    std::string id = c.params.requiredString("AccessKeyId");
    MQGW_API_CHECK_PARAMS(c);
    return nothing(c.registry.deleteAccessKey(c.caller, id));
  });
}

void addTokenActions(ActionTable& t) {
  t["ApplyToken"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    auto resources = c.params.requiredStringList("Resources", 1, 100);
    std::string word = c.params.requiredString("Actions");
    auto actions = parseActions(word);
    if (!actions && !word.empty()) c.params.invalid("Actions", "must be \"R\", \"W\" or \"R,W\"");
    int64_t expire = c.params.requiredInt("ExpireTime", 0, INT64_MAX);
    MQGW_API_CHECK_PARAMS(c);
    auto r = c.registry.applyToken(c.caller, instanceId, resources, *actions, expire);
    if (!r.ok()) return failed(*r.error);
    return succeeded({{"Token", r.value->value}, {"TokenInfo", toJson(*r.value)}});
  });
  t["QueryToken"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string token = c.params.requiredString("Token");
    MQGW_API_CHECK_PARAMS(c);
    auto r = c.registry.queryToken(c.caller, instanceId, token);
    if (!r.ok()) return failed(*r.error);
    bool usable = !r.value->revoked && r.value->expireMs > c.nowMs;
    return succeeded({{"TokenStatus", usable}, {"TokenInfo", toJson(*r.value)}});
  });
  t["RevokeToken"] = sync([](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string token = c.params.requiredString("Token");
    MQGW_API_CHECK_PARAMS(c);
    return nothing(c.registry.revokeToken(c.caller, instanceId, token));
  });
}

// The device credential actions all take InstanceId and ClientId.
template <class F>
Action credentialAction(F call) {
  return sync([call](ActionContext& c) -> Outcome {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string clientId = c.params.requiredString("ClientId");
    MQGW_API_CHECK_PARAMS(c);
    return call(c, instanceId, clientId);
  });
}

void addCredentialActions(ActionTable& t) {
  using S = const std::string&;
  t["RegisterDeviceCredential"] = credentialAction([](ActionContext& c, S i, S id) {
    return single(c.registry.registerCredential(c.caller, i, id), "DeviceCredential");
  });
  t["GetDeviceCredential"] = credentialAction([](ActionContext& c, S i, S id) {
    return single(c.registry.getCredential(c.caller, i, id), "DeviceCredential");
  });
  t["UnRegisterDeviceCredential"] = credentialAction([](ActionContext& c, S i, S id) {
    return nothing(c.registry.unregisterCredential(c.caller, i, id));
  });
  t["RefreshDeviceCredential"] = credentialAction([](ActionContext& c, S i, S id) {
    return single(c.registry.refreshCredential(c.caller, i, id), "DeviceCredential");
  });
}

}  // namespace

void addAccessActions(ActionTable& t) {
  addAccountActions(t);
  addTokenActions(t);
  addCredentialActions(t);
}

}  // namespace mqgw::api
