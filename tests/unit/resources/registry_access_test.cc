// Accounts, AccessKeys and what a sub-account may do; tokens and device credentials.
#include <gtest/gtest.h>

#include <chrono>

#include "registry_fixture.h"

namespace mqgw::resources::testing {
namespace {

using AccessTest = RegistryTest;

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

TEST_F(AccessTest, SubAccountsAreRefusedWhatOnlyTheMainAccountMayDo) {
  std::string id = readyInstance();
  auto [sub, secret] = subAccount("ops");
  auto forbidden = [](const auto& r) {
    return codeOf(r) == "Forbidden.SubAccount" && statusOf(r) == 403;
  };
  Registry::StorageRequest sr;
  sr.name = "s";
  sr.kind = "native";
  EXPECT_TRUE(forbidden(registry_->createInstance(sub, {"x", "", {}, {}})));
  EXPECT_TRUE(forbidden(registry_->deleteInstance(sub, id)));
  EXPECT_TRUE(forbidden(registry_->updateSpec(sub, id, Spec{})));
  EXPECT_TRUE(forbidden(registry_->createStorage(sub, sr)));
  EXPECT_TRUE(forbidden(registry_->listStorage(sub)));
  EXPECT_TRUE(forbidden(registry_->getStorage(sub, "store-x")));
  EXPECT_TRUE(forbidden(registry_->deleteStorage(sub, "store-x")));
  EXPECT_TRUE(forbidden(registry_->bind(sub, id, "store-x")));
  EXPECT_TRUE(forbidden(registry_->createSubAccount(sub, "other")));
  EXPECT_TRUE(forbidden(registry_->listAccounts(sub)));
  EXPECT_TRUE(forbidden(registry_->deleteAccount(sub, sub.accountId)));
  EXPECT_TRUE(forbidden(registry_->createAccessKey(sub, "")));
  EXPECT_TRUE(forbidden(registry_->deleteAccessKey(sub, sub.accessKeyId)));
  EXPECT_TRUE(forbidden(registry_->listAccessKeys(sub, main_.accountId)));
  // What it may do.
  EXPECT_EQ(must(registry_->listInstances(sub)).size(), 1u);
  EXPECT_TRUE(registry_->getInstance(sub, id).ok());
  EXPECT_TRUE(registry_->createTopic(sub, id, "subtopic", MessageType::Normal, "").ok());
  EXPECT_TRUE(registry_->deleteTopic(sub, id, "subtopic").ok());
  auto keys = must(registry_->listAccessKeys(sub, ""));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].id, sub.accessKeyId);
  EXPECT_EQ(keys[0].secret, "");  // never listed
  EXPECT_TRUE(registry_->listAccessKeys(sub, sub.accountId).ok());
}

TEST_F(AccessTest, GroupIdsBelongToTheirCreator) {
  std::string id = readyInstance();  // GID_demo belongs to the main account
  auto [sub, secret] = subAccount("ops");
  auto [other, otherSecret] = subAccount("ops2");
  GroupId mine = must(registry_->createGroup(sub, id, "GID_sub"));
  EXPECT_EQ(mine.ownerAccountId, sub.accountId);
  auto r = registry_->deleteGroup(other, id, "GID_sub");
  EXPECT_EQ(statusOf(r), 403);
  EXPECT_EQ(codeOf(r), "Forbidden.GroupOwner");
  EXPECT_EQ(statusOf(registry_->deleteGroup(sub, id, "GID_demo")), 403);
  EXPECT_EQ(statusOf(registry_->registerCredential(sub, id, "GID_demo@@@d1")), 403);
  EXPECT_TRUE(registry_->deleteGroup(sub, id, "GID_sub").ok());
  must(registry_->createGroup(other, id, "GID_other"));
  EXPECT_TRUE(registry_->deleteGroup(main_, id, "GID_other").ok());  // the main account may
}

TEST_F(AccessTest, AccountsAndKeys) {
  auto [sub, secret] = subAccount("ops");
  EXPECT_EQ(sub.accountId.rfind("acc-", 0), 0u);
  EXPECT_EQ(sub.accessKeyId.size(), 20u);
  EXPECT_EQ(secret.size(), 30u);
  EXPECT_EQ(codeOf(registry_->createSubAccount(main_, "ops")), "AccountAlreadyExists");
  EXPECT_EQ(codeOf(registry_->createSubAccount(main_, "bad name")),
            "InvalidParameter.AccountName");
  EXPECT_EQ(codeOf(registry_->createSubAccount(main_, "")), "InvalidParameter.AccountName");
  EXPECT_EQ(must(registry_->listAccounts(main_)).size(), 2u);
  auto found = registry_->findAccessKey(sub.accessKeyId);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->first.accountId, sub.accountId);
  EXPECT_EQ(found->first.kind, AccountKind::Sub);
  EXPECT_EQ(found->second, secret);
  EXPECT_FALSE(registry_->findAccessKey("AKNOPE"));

  EXPECT_EQ(codeOf(registry_->createAccessKey(main_, "acc-nope")), "AccountNotFound");
  AccessKey second = must(registry_->createAccessKey(main_, ""));  // the caller's own
  EXPECT_EQ(second.accountId, main_.accountId);
  EXPECT_EQ(must(registry_->listAccessKeys(main_, "")).size(), 2u);
  EXPECT_EQ(must(registry_->listAccessKeys(main_, sub.accountId)).size(), 1u);
  must(registry_->deleteAccessKey(main_, second.id));
  EXPECT_FALSE(registry_->findAccessKey(second.id));
  EXPECT_EQ(codeOf(registry_->deleteAccessKey(main_, second.id)), "AccessKeyNotFound");
  EXPECT_EQ(codeOf(registry_->deleteAccessKey(main_, mainKeyId_)), "LastAccessKey");

  EXPECT_EQ(codeOf(registry_->deleteAccount(main_, main_.accountId)),
            "InvalidParameter.AccountId");
  must(registry_->deleteAccount(main_, sub.accountId));
  EXPECT_FALSE(registry_->findAccessKey(sub.accessKeyId));  // its keys went with it
  EXPECT_EQ(codeOf(registry_->deleteAccount(main_, sub.accountId)), "AccountNotFound");
}

TEST_F(AccessTest, TokenRules) {
  std::string id = readyInstance();
  int64_t now = nowMs();
  auto apply = [&](std::vector<std::string> res, uint8_t actions, int64_t expire) {
    return registry_->applyToken(main_, id, res, actions, expire);
  };
  const int64_t minute = 60'000, day = 86'400'000;
  EXPECT_EQ(codeOf(apply({"demo_topic/#"}, kRead, now + 30'000)), "InvalidParameter.ExpireTime");
  EXPECT_EQ(codeOf(apply({"demo_topic/#"}, kRead, now - minute)), "InvalidParameter.ExpireTime");
  EXPECT_EQ(codeOf(apply({"demo_topic/#"}, kRead, now + 30 * day + minute)),
            "InvalidParameter.ExpireTime");
  EXPECT_TRUE(apply({"demo_topic/#"}, kRead, now + minute + 1000).ok());
  EXPECT_TRUE(apply({"demo_topic/#"}, kRead, now + 30 * day - minute).ok());
  EXPECT_EQ(codeOf(apply({}, kRead, now + day)), "InvalidParameter.Resources");
  EXPECT_EQ(codeOf(apply(std::vector<std::string>(101, "demo_topic/a"), kRead, now + day)),
            "InvalidParameter.Resources");
  EXPECT_TRUE(apply(std::vector<std::string>(100, "demo_topic/a"), kRead, now + day).ok());
  for (std::string bad : {"other/#", "#", "+/x", "demo_topic/#/x", "demo_topic/a#", ""})
    EXPECT_EQ(codeOf(apply({"demo_topic/a", bad}, kRead, now + day)),
              "InvalidParameter.Resources") << bad;
  EXPECT_EQ(codeOf(apply({"demo_topic/#"}, 0, now + day)), "InvalidParameter.Actions");
  EXPECT_EQ(codeOf(apply({"demo_topic/#"}, 4, now + day)), "InvalidParameter.Actions");
  EXPECT_EQ(codeOf(registry_->applyToken(main_, "mqtt-none", {"demo_topic/#"}, kRead, now + day)),
            "InstanceNotFound");

  Token t = must(apply({"demo_topic/+/x", "demo_topic/y"}, kRead | kWrite, now + day));
  EXPECT_EQ(t.value.size(), 48u);
  EXPECT_EQ(t.accessKeyId, mainKeyId_);
  EXPECT_EQ(t.instanceId, id);
  Token q = must(registry_->queryToken(main_, id, t.value));
  EXPECT_EQ(q.resources, t.resources);
  EXPECT_FALSE(q.revoked);
  must(registry_->revokeToken(main_, id, t.value));
  EXPECT_TRUE(must(registry_->queryToken(main_, id, t.value)).revoked);
  EXPECT_EQ(codeOf(registry_->queryToken(main_, id, "nope")), "TokenNotFound");
  Instance other = must(registry_->createInstance(main_, {"b", "", {}, {}}));
  EXPECT_EQ(codeOf(registry_->queryToken(main_, other.id, t.value)), "TokenNotFound");
}

TEST_F(AccessTest, DeviceCredentialRules) {
  std::string id = readyInstance();
  EXPECT_EQ(codeOf(registry_->registerCredential(main_, id, "nogroup")),
            "InvalidParameter.ClientId");
  EXPECT_EQ(codeOf(registry_->registerCredential(main_, id, "GID_none@@@d1")), "GroupIdNotFound");
  EXPECT_EQ(codeOf(registry_->registerCredential(main_, "mqtt-none", "GID_demo@@@d1")),
            "InstanceNotFound");
  DeviceCredential d = must(registry_->registerCredential(main_, id, "GID_demo@@@d1"));
  EXPECT_EQ(d.deviceAccessKeyId.rfind("DK", 0), 0u);
  EXPECT_EQ(d.deviceAccessKeyId.size(), 20u);
  EXPECT_EQ(d.deviceAccessKeySecret.size(), 30u);
  EXPECT_EQ(codeOf(registry_->registerCredential(main_, id, "GID_demo@@@d1")),
            "DeviceCredentialAlreadyExists");
  EXPECT_EQ(must(registry_->getCredential(main_, id, "GID_demo@@@d1")).deviceAccessKeySecret,
            d.deviceAccessKeySecret);
  DeviceCredential fresh = must(registry_->refreshCredential(main_, id, "GID_demo@@@d1"));
  EXPECT_EQ(fresh.deviceAccessKeyId, d.deviceAccessKeyId);
  EXPECT_NE(fresh.deviceAccessKeySecret, d.deviceAccessKeySecret);
  EXPECT_GE(fresh.updatedMs, d.updatedMs);
  must(registry_->unregisterCredential(main_, id, "GID_demo@@@d1"));
  EXPECT_EQ(codeOf(registry_->getCredential(main_, id, "GID_demo@@@d1")),
            "DeviceCredentialNotFound");
  EXPECT_EQ(codeOf(registry_->refreshCredential(main_, id, "GID_demo@@@d1")),
            "DeviceCredentialNotFound");
  EXPECT_EQ(codeOf(registry_->unregisterCredential(main_, id, "GID_demo@@@d1")),
            "DeviceCredentialNotFound");
}

}  // namespace
}  // namespace mqgw::resources::testing
