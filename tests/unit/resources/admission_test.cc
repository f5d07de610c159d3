// CONNECT admission in the three username modes, every refusal, and admission racing changes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "registry_fixture.h"
#include "resources/topic_policy.h"

namespace mqgw::resources::testing {
namespace {

constexpr const char* kClient = "GID_demo@@@dev-1";

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class AdmissionTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    instance_ = readyInstance();
  }
  Admission connect(const std::string& username, const std::string& password,
                    const std::string& clientId = kClient, int64_t at = 0) {
    AdmitRequest r;
    r.clientId = clientId;
    r.username = username;
    r.password = password;
    r.hasPassword = true;
    r.nowMs = at ? at : nowMs();
    return registry_->admit(r);
  }
  std::string signature(const std::string& keyId) { return "Signature|" + keyId + "|" + instance_; }
  std::string tokenUser(const std::string& keyId) { return "Token|" + keyId + "|" + instance_; }
  Token token(const Caller& c, uint8_t actions, std::vector<std::string> res = {"demo_topic/#"}) {
    return must(registry_->applyToken(c, instance_, res, actions, nowMs() + 3'600'000));
  }

  std::string instance_;
};

TEST_F(AdmissionTest, SignatureModeAdmitsTheRightPassword) {
  EXPECT_TRUE(isConsoleUsername(signature(mainKeyId_)));
  EXPECT_FALSE(isConsoleUsername("alice"));
  EXPECT_FALSE(isConsoleUsername("Signature"));
  Admission a = connect(signature(mainKeyId_), crypto::devicePassword(mainSecret_, kClient));
  ASSERT_EQ(a.refusal, Refusal::None) << a.reason;
  EXPECT_EQ(a.mode, AuthMode::Signature);
  EXPECT_EQ(a.accountId, main_.accountId);
  ASSERT_TRUE(a.view);
  EXPECT_EQ(a.view->instance.id, instance_);
  EXPECT_TRUE(a.grants.empty());
}

TEST_F(AdmissionTest, RefusalsOfEachKind) {
  std::string good = crypto::devicePassword(mainSecret_, kClient);
  auto refusal = [&](const std::string& u, const std::string& p, const std::string& c = kClient) {
    return connect(u, p, c).refusal;
  };
  // Malformed usernames: exactly three non-empty parts and a known mode.
  for (std::string u : {"Signature|" + mainKeyId_, signature(mainKeyId_) + "|x",
                        "Sig|" + mainKeyId_ + "|" + instance_, "Signature||" + instance_,
                        "Signature|" + mainKeyId_ + "|"})
    EXPECT_EQ(refusal(u, good), Refusal::BadCredentials) << u;
  EXPECT_EQ(refusal("Signature|" + mainKeyId_ + "|mqtt-none", good), Refusal::BadCredentials);
  EXPECT_EQ(refusal(signature("AKUNKNOWN"), good), Refusal::BadCredentials);
  EXPECT_EQ(refusal(signature(mainKeyId_), good + "x"), Refusal::BadCredentials);
  EXPECT_EQ(refusal(signature(mainKeyId_), crypto::devicePassword("wrong", kClient)),
            Refusal::BadCredentials);
  // The password signs the Client ID: another Client ID's password does not fit.
  must(registry_->createGroup(main_, instance_, "GID_other"));
  EXPECT_EQ(refusal(signature(mainKeyId_), good, "GID_other@@@dev-1"), Refusal::BadCredentials);
  EXPECT_EQ(refusal(signature(mainKeyId_), good, "GID_unknown@@@dev-1"), Refusal::BadClientId);
  EXPECT_EQ(refusal(signature(mainKeyId_), good, "no-group-here"), Refusal::BadClientId);
  AdmitRequest noPassword;
  std::string user = signature(mainKeyId_);
  noPassword.clientId = kClient;
  noPassword.username = user;
  noPassword.nowMs = nowMs();
  EXPECT_EQ(registry_->admit(noPassword).refusal, Refusal::BadCredentials);
  // The reason never carries a secret.
  Admission bad = connect(signature(mainKeyId_), good + "x");
  EXPECT_FALSE(bad.reason.empty());
  EXPECT_EQ(bad.reason.find(mainSecret_), std::string::npos);
  EXPECT_EQ(bad.reason.find(good), std::string::npos);
  EXPECT_FALSE(bad.view);
}

TEST_F(AdmissionTest, AGroupOfAnotherAccountIsNotAuthorized) {
  auto [sub, subSecret] = subAccount("ops");
  Admission a = connect(signature(sub.accessKeyId), crypto::devicePassword(subSecret, kClient));
  EXPECT_EQ(a.refusal, Refusal::NotAuthorized);
  must(registry_->createGroup(sub, instance_, "GID_sub"));
  std::string mine = "GID_sub@@@d";
  Admission ok = connect(signature(sub.accessKeyId), crypto::devicePassword(subSecret, mine), mine);
  EXPECT_EQ(ok.refusal, Refusal::None) << ok.reason;
  EXPECT_EQ(ok.accountId, sub.accountId);
}

TEST_F(AdmissionTest, UnboundAndUnusableInstancesAreUnavailable) {
  Instance unbound = must(registry_->createInstance(main_, {"u", "", {}, {}}));
  must(registry_->createGroup(main_, unbound.id, "GID_demo"));
  Admission a = connect("Signature|" + mainKeyId_ + "|" + unbound.id,
                        crypto::devicePassword(mainSecret_, kClient));
  EXPECT_EQ(a.refusal, Refusal::Unavailable);
  EXPECT_EQ(a.reason, "instance " + unbound.id + " is not bound to storage");

  std::string storageId = must(registry_->getInstance(main_, instance_)).storageId;
  must(registry_->deleteStorage(main_, storageId));
  Admission b = connect(signature(mainKeyId_), crypto::devicePassword(mainSecret_, kClient));
  EXPECT_EQ(b.refusal, Refusal::Unavailable);
  EXPECT_NE(b.reason.find("unusable"), std::string::npos) << b.reason;
}

TEST_F(AdmissionTest, TokenModeGrantsPerPresentedType) {
  Token rw = token(main_, kRead | kWrite, {"demo_topic/a/#"});
  Token r = token(main_, kRead);
  Admission a = connect(tokenUser(mainKeyId_), "R|" + r.value + "|W|" + rw.value);
  ASSERT_EQ(a.refusal, Refusal::None) << a.reason;
  EXPECT_EQ(a.mode, AuthMode::Token);
  ASSERT_EQ(a.grants.size(), 2u);
  EXPECT_EQ(a.grants[0].actions, kRead);
  EXPECT_EQ(a.grants[1].actions, kWrite);  // the type presented, not all the token has
  int64_t now = nowMs();
  EXPECT_TRUE(grantsAllow(a.grants, "demo_topic/a/x", kWrite, now));
  EXPECT_FALSE(grantsAllow(a.grants, "demo_topic/b", kWrite, now));
  EXPECT_TRUE(grantsAllow(a.grants, "demo_topic/b/#", kRead, now));
  EXPECT_TRUE(registry_->grantsStillValid(a.grants));

  Admission both = connect(tokenUser(mainKeyId_), "RW|" + rw.value);
  ASSERT_EQ(both.refusal, Refusal::None) << both.reason;
  EXPECT_EQ(both.grants[0].actions, kRead | kWrite);

  must(registry_->revokeToken(main_, instance_, r.value));
  EXPECT_FALSE(registry_->grantsStillValid(a.grants));
  EXPECT_EQ(connect(tokenUser(mainKeyId_), "R|" + r.value).refusal, Refusal::NotAuthorized);
}

TEST_F(AdmissionTest, TokenModeRefusals) {
  Token r = token(main_, kRead);
  Token w = token(main_, kWrite);
  auto refusal = [&](const std::string& password, int64_t at = 0) {
    return connect(tokenUser(mainKeyId_), password, kClient, at).refusal;
  };
  EXPECT_EQ(refusal("W|" + r.value), Refusal::NotAuthorized);   // wrong type
  EXPECT_EQ(refusal("RW|" + w.value), Refusal::NotAuthorized);  // lacks R
  EXPECT_EQ(refusal("R|" + r.value, r.expireMs), Refusal::NotAuthorized);  // expired then
  EXPECT_EQ(refusal("R|" + r.value, r.expireMs - 1), Refusal::None);
  EXPECT_EQ(refusal("R|" + r.value + "|W|nosuchtoken"), Refusal::BadCredentials);
  for (std::string bad : std::vector<std::string>{"", "R", "R|", "X|" + r.value, "R|" + r.value + "|W",
                          "R|" + r.value + "|R|" + r.value, r.value})
    EXPECT_EQ(refusal(bad), Refusal::BadCredentials) << bad;
  // Applied by another key: refused even though that key's account is the same.
  AccessKey second = must(registry_->createAccessKey(main_, ""));
  EXPECT_EQ(connect(tokenUser(second.id), "R|" + r.value).refusal, Refusal::NotAuthorized);
  // A token of another instance is unknown here.
  Instance other = must(registry_->createInstance(main_, {"o", "", {}, {}}));
  must(registry_->createTopic(main_, other.id, "demo_topic", MessageType::Normal, ""));
  Token elsewhere = must(registry_->applyToken(main_, other.id, {"demo_topic/#"}, kRead,
                                               nowMs() + 3'600'000));
  EXPECT_EQ(refusal("R|" + elsewhere.value), Refusal::BadCredentials);
  EXPECT_EQ(connect(tokenUser("AKUNKNOWN"), "R|" + r.value).refusal, Refusal::BadCredentials);
  Admission reason = connect(tokenUser(mainKeyId_), "W|" + r.value);
  EXPECT_EQ(reason.reason.find(r.value), std::string::npos);
}

TEST_F(AdmissionTest, DeviceCredentialModeAndRefresh) {
  DeviceCredential d = must(registry_->registerCredential(main_, instance_, kClient));
  std::string user = "DeviceCredential|" + d.deviceAccessKeyId + "|" + instance_;
  std::string oldPassword = crypto::devicePassword(d.deviceAccessKeySecret, kClient);
  Admission a = connect(user, oldPassword);
  ASSERT_EQ(a.refusal, Refusal::None) << a.reason;
  EXPECT_EQ(a.mode, AuthMode::DeviceCredential);
  EXPECT_EQ(a.accountId, main_.accountId);
  // Another Client ID (even of the same group) may not use this credential.
  std::string other = "GID_demo@@@dev-2";
  EXPECT_EQ(connect(user, crypto::devicePassword(d.deviceAccessKeySecret, other), other).refusal,
            Refusal::NotAuthorized);
  EXPECT_EQ(connect(user, oldPassword + "x").refusal, Refusal::BadCredentials);
  EXPECT_EQ(connect("DeviceCredential|DKNOPE|" + instance_, oldPassword).refusal,
            Refusal::BadCredentials);
  // The secret is not an AccessKey: Signature mode with the device key id is unknown.
  EXPECT_EQ(connect(signature(d.deviceAccessKeyId), oldPassword).refusal,
            Refusal::BadCredentials);

  DeviceCredential fresh = must(registry_->refreshCredential(main_, instance_, kClient));
  EXPECT_EQ(connect(user, oldPassword).refusal, Refusal::BadCredentials);
  EXPECT_EQ(connect(user, crypto::devicePassword(fresh.deviceAccessKeySecret, kClient)).refusal,
            Refusal::None);
  must(registry_->unregisterCredential(main_, instance_, kClient));
  EXPECT_EQ(connect(user, crypto::devicePassword(fresh.deviceAccessKeySecret, kClient)).refusal,
            Refusal::BadCredentials);
}

TEST_F(AdmissionTest, ConcurrentAdmissionWhileTopicsAreCreated) {
  std::string password = crypto::devicePassword(mainSecret_, kClient);
  std::string user = signature(mainKeyId_);
  std::atomic<bool> stop{false};
  std::atomic<int> admitted{0}, refused{0};
  auto admitLoop = [&] {
    while (!stop.load()) {
      AdmitRequest r{kClient, user, password, true, nowMs()};
      Admission a = registry_->admit(r);
      (a.refusal == Refusal::None && a.view ? admitted : refused)++;
    }
  };
  std::thread t1(admitLoop), t2(admitLoop);
  for (int i = 0; i < 40; ++i)
    must(registry_->createTopic(main_, instance_, "topic_" + std::to_string(i),
                                MessageType::Normal, ""));
  stop = true;
  t1.join();
  t2.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(registry_->view(instance_)->parentTopics.size(), 41u);
}

}  // namespace
}  // namespace mqgw::resources::testing
