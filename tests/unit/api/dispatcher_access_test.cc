// Accounts, AccessKeys, tokens and device credentials through the dispatcher.
#include "api_harness.h"

namespace mqgw::api::testing {
namespace {

TEST_F(ApiTest, AccountsAndAccessKeys) {
  json a = call("CreateAccount", {{"AccountName", "ops"}})["Account"];
  std::string account = a["AccountId"];
  EXPECT_EQ(a["Kind"], "sub");
  EXPECT_EQ(a["AccountName"], "ops");
  EXPECT_EQ(call("ListAccounts", json::object())["Accounts"].size(), 1u);
  EXPECT_EQ(callError("CreateAccount", {{"AccountName", "x"}}, 403, "AKSUB"),
            "Forbidden.SubAccount");

  json k = call("CreateAccessKey", {{"AccountId", account}})["AccessKey"];
  EXPECT_EQ(k["AccountId"], account);
  EXPECT_EQ(k["Enabled"], true);
  EXPECT_FALSE(k["AccessKeySecret"].get<std::string>().empty());  // shown once, here
  json own = call("CreateAccessKey", json::object())["AccessKey"];
  EXPECT_EQ(own["AccountId"], "acc-main");  // default: the caller's account

  json listed = call("ListAccessKeys", {{"AccountId", account}})["AccessKeys"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["AccessKeyId"], k["AccessKeyId"]);
  EXPECT_EQ(listed[0]["AccessKeySecret"], "");  // never listed

  // The new key signs requests of its own.
  std::string newKey = k["AccessKeyId"];
  EXPECT_EQ(call("ListInstances", json::object(), 200, newKey)["Instances"].size(), 0u);

  call("DeleteAccessKey", {{"AccessKeyId", newKey}});
  EXPECT_EQ(callError("ListInstances", json::object(), 401, newKey),
            "InvalidAccessKeyId.NotFound");
  EXPECT_EQ(callError("ListAccessKeys", {{"AccountId", 7}}, 400), "InvalidParameter.AccountId");
  EXPECT_EQ(callError("DeleteAccount", json::object(), 400), "InvalidParameter.AccountId");
  call("DeleteAccount", {{"AccountId", account}});
  EXPECT_TRUE(registry.accounts.empty());
}

TEST_F(ApiTest, Tokens) {
  int64_t expire = nowMs + 3600 * 1000;
  json applied = call("ApplyToken", {{"InstanceId", "mqtt-1"},
                                     {"Resources", {"demo_topic/#"}},
                                     {"Actions", "R,W"},
                                     {"ExpireTime", expire}});
  std::string token = applied["Token"];
  EXPECT_FALSE(token.empty());
  EXPECT_EQ(applied["TokenInfo"]["Token"], token);
  EXPECT_EQ(applied["TokenInfo"]["Actions"], "R,W");
  EXPECT_EQ(applied["TokenInfo"]["ExpireTime"], expire);
  EXPECT_EQ(applied["TokenInfo"]["AccessKeyId"], "AKMAIN");
  EXPECT_EQ(applied["TokenInfo"]["Resources"], json({"demo_topic/#"}));
  EXPECT_EQ(registry.tokens[token].actions, kRead | kWrite);

  json q = call("QueryToken", {{"InstanceId", "mqtt-1"}, {"Token", token}});
  EXPECT_EQ(q["TokenStatus"], true);
  nowMs = expire;  // expired: still found, no longer usable
  EXPECT_EQ(call("QueryToken", {{"InstanceId", "mqtt-1"}, {"Token", token}})["TokenStatus"], false);
  nowMs = expire - 1000;
  call("RevokeToken", {{"InstanceId", "mqtt-1"}, {"Token", token}});
  q = call("QueryToken", {{"InstanceId", "mqtt-1"}, {"Token", token}});
  EXPECT_EQ(q["TokenStatus"], false);
  EXPECT_EQ(q["TokenInfo"]["Revoked"], true);
  EXPECT_EQ(callError("QueryToken", {{"InstanceId", "mqtt-2"}, {"Token", token}}, 404),
            "TokenNotFound");
}

TEST_F(ApiTest, TokenFieldErrors) {
  json good = {{"InstanceId", "mqtt-1"},
               {"Resources", {"demo_topic/#"}},
               {"Actions", "W"},
               {"ExpireTime", nowMs + 60000}};
  auto without = [&](const char* field, json value) {
    json b = good;
    if (value.is_discarded()) b.erase(field); else b[field] = value;
    return callError("ApplyToken", b, 400);
  };
  json absent(json::value_t::discarded);
  EXPECT_EQ(without("Resources", absent), "InvalidParameter.Resources");
  EXPECT_EQ(without("Resources", json::array()), "InvalidParameter.Resources");
  EXPECT_EQ(without("Resources", "demo_topic/#"), "InvalidParameter.Resources");
  EXPECT_EQ(without("Resources", {1}), "InvalidParameter.Resources");
  EXPECT_EQ(without("Actions", "RW"), "InvalidParameter.Actions");
  EXPECT_EQ(without("Actions", absent), "InvalidParameter.Actions");
  EXPECT_EQ(without("ExpireTime", "soon"), "InvalidParameter.ExpireTime");
  EXPECT_EQ(without("ExpireTime", absent), "InvalidParameter.ExpireTime");
  EXPECT_EQ(without("InstanceId", absent), "InvalidParameter.InstanceId");
  EXPECT_TRUE(registry.tokens.empty());
  EXPECT_EQ(call("ApplyToken", good)["TokenInfo"]["Actions"], "W");
}

TEST_F(ApiTest, DeviceCredentials) {
  json body = {{"InstanceId", "mqtt-1"}, {"ClientId", "GID_demo@@@dev-1"}};
  json reg = call("RegisterDeviceCredential", body)["DeviceCredential"];
  EXPECT_EQ(reg["ClientId"], "GID_demo@@@dev-1");
  EXPECT_EQ(reg["InstanceId"], "mqtt-1");
  EXPECT_EQ(reg["DeviceAccessKeySecret"], "dsecret");
  EXPECT_EQ(reg["CreateTime"], 8000);
  EXPECT_EQ(call("GetDeviceCredential", body)["DeviceCredential"]["DeviceAccessKeyId"],
            reg["DeviceAccessKeyId"]);
  json refreshed = call("RefreshDeviceCredential", body)["DeviceCredential"];
  EXPECT_NE(refreshed["DeviceAccessKeySecret"], reg["DeviceAccessKeySecret"]);
  EXPECT_EQ(refreshed["UpdateTime"], 9000);
  call("UnRegisterDeviceCredential", body);
  EXPECT_EQ(callError("GetDeviceCredential", body, 404), "DeviceCredentialNotFound");
  EXPECT_EQ(callError("RegisterDeviceCredential", {{"InstanceId", "mqtt-1"}}, 400),
            "InvalidParameter.ClientId");
  EXPECT_EQ(callError("RegisterDeviceCredential", {{"InstanceId", "mqtt-1"}, {"ClientId", ""}},
                      400),
            "InvalidParameter.ClientId");
}

}  // namespace
}  // namespace mqgw::api::testing
