// What survives a restart (close and reopen of the same file), and the first start's bootstrap.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "registry_fixture.h"

namespace mqgw::resources::testing {
namespace {

using PersistenceTest = RegistryTest;

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

TEST_F(PersistenceTest, BootstrapWritesAPrivateProfileOnce) {
  struct stat st {};
  ASSERT_EQ(stat(credentialsPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(credentialsPath());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "[default]\nendpoint = http://127.0.0.1:19090\naccess_key_id = " +
                            mainKeyId_ + "\naccess_key_secret = " + mainSecret_ + "\n");
  EXPECT_EQ(mainKeyId_.size(), 20u);
  EXPECT_EQ(mainKeyId_.rfind("AK", 0), 0u);
  EXPECT_EQ(mainSecret_.size(), 30u);
  EXPECT_EQ(main_.kind, AccountKind::Main);
  auto accounts = must(registry_->listAccounts(main_));
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].name, "main");
  EXPECT_FALSE(std::filesystem::exists(credentialsPath() + ".tmp"));

  // A restart finds the account and leaves the file alone.
  std::filesystem::remove(credentialsPath());
  registry_.reset();
  std::string error;
  registry_ = Registry::open(options(), &error);
  ASSERT_TRUE(registry_) << error;
  EXPECT_FALSE(std::filesystem::exists(credentialsPath()));
  auto found = registry_->findAccessKey(mainKeyId_);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->second, mainSecret_);
  EXPECT_EQ(must(registry_->listAccounts(main_)).size(), 1u);
}

TEST_F(PersistenceTest, EverythingSurvivesAReopen) {
  std::string id = readyInstance();
  auto [sub, subSecret] = subAccount("ops");
  must(registry_->createGroup(sub, id, "GID_sub"));
  Spec spec;
  spec.maxPublishTps = 77;
  must(registry_->updateSpec(main_, id, spec));
  Token t = must(registry_->applyToken(main_, id, {"demo_topic/+"}, kWrite, nowMs() + 120'000));
  Token revoked = must(registry_->applyToken(main_, id, {"demo_topic/#"}, kRead,
                                             nowMs() + 120'000));
  must(registry_->revokeToken(main_, id, revoked.value));
  DeviceCredential d = must(registry_->registerCredential(main_, id, "GID_demo@@@d1"));
  d = must(registry_->refreshCredential(main_, id, "GID_demo@@@d1"));
  Instance unusable = must(registry_->createInstance(main_, {"u", "", NamespaceType::Shared, {}}));
  Registry::StorageRequest sr;
  sr.name = "shared";
  sr.kind = "memory";
  sr.namespaceType = NamespaceType::Shared;
  StorageInstance s = must(registry_->createStorage(main_, sr));
  must(registry_->bind(main_, unusable.id, s.id));
  must(registry_->deleteStorage(main_, s.id));

  reopen();

  Instance i = must(registry_->getInstance(main_, id));
  EXPECT_EQ(i.status, InstanceStatus::Ready);
  EXPECT_EQ(i.spec.maxPublishTps, 77u);
  EXPECT_EQ(must(registry_->getInstance(main_, unusable.id)).status, InstanceStatus::Unusable);
  EXPECT_EQ(must(registry_->getStorage(main_, i.storageId)).boundInstanceId, id);
  auto v = registry_->view(id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->parentTopics.count("demo_topic"), 1u);
  EXPECT_EQ(v->groupIds.size(), 2u);
  EXPECT_EQ(v->generation, registry_->generation());
  auto groups = must(registry_->listGroups(main_, id));
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].name, "GID_sub");
  EXPECT_EQ(groups[1].ownerAccountId, sub.accountId);
  auto subKey = registry_->findAccessKey(sub.accessKeyId);
  ASSERT_TRUE(subKey);
  EXPECT_EQ(subKey->second, subSecret);
  EXPECT_EQ(subKey->first.kind, AccountKind::Sub);

  Token tq = must(registry_->queryToken(main_, id, t.value));
  EXPECT_EQ(tq.resources, t.resources);
  EXPECT_EQ(tq.expireMs, t.expireMs);
  EXPECT_EQ(tq.actions, kWrite);
  EXPECT_TRUE(must(registry_->queryToken(main_, id, revoked.value)).revoked);
  DeviceCredential dq = must(registry_->getCredential(main_, id, "GID_demo@@@d1"));
  EXPECT_EQ(dq.deviceAccessKeySecret, d.deviceAccessKeySecret);

  // Admission works from the reloaded state, in every mode.
  AdmitRequest r;
  std::string client = "GID_demo@@@d1";
  std::string user = "DeviceCredential|" + d.deviceAccessKeyId + "|" + id;
  std::string pw = crypto::devicePassword(d.deviceAccessKeySecret, client);
  r = AdmitRequest{client, user, pw, true, nowMs()};
  EXPECT_EQ(registry_->admit(r).refusal, Refusal::None) << registry_->admit(r).reason;
  std::string tokenUser = "Token|" + mainKeyId_ + "|" + id, tokenPw = "W|" + t.value;
  r = AdmitRequest{client, tokenUser, tokenPw, true, nowMs()};
  EXPECT_EQ(registry_->admit(r).refusal, Refusal::None) << registry_->admit(r).reason;
  std::string revokedPw = "R|" + revoked.value;
  r = AdmitRequest{client, tokenUser, revokedPw, true, nowMs()};
  EXPECT_EQ(registry_->admit(r).refusal, Refusal::NotAuthorized);
}

TEST_F(PersistenceTest, DeletionsSurviveAReopen) {
  std::string id = readyInstance();
  auto [sub, secret] = subAccount("ops");
  must(registry_->registerCredential(main_, id, "GID_demo@@@d1"));
  must(registry_->deleteAccount(main_, sub.accountId));
  must(registry_->deleteInstance(main_, id));
  reopen();
  EXPECT_EQ(codeOf(registry_->getInstance(main_, id)), "InstanceNotFound");
  EXPECT_FALSE(registry_->findAccessKey(sub.accessKeyId));
  EXPECT_EQ(must(registry_->listAccounts(main_)).size(), 1u);
  EXPECT_TRUE(registry_->views().empty());
}

TEST(RegistryOpen, ReportsAnUnusablePath) {
  Registry::Options o;
  o.dbPath = "/proc/mqgw-no-such/registry.db";
  std::string error;
  EXPECT_FALSE(Registry::open(o, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace mqgw::resources::testing
