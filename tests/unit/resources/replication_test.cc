// The registry across nodes: the records each change produces, applying records of the shared
// store (upsert, delete, idempotent, echoes, last wins) and the deferred bootstrap.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "registry_fixture.h"
#include "resources/metadata_records.h"

namespace mqgw::resources::testing {
namespace {

using Json = nlohmann::json;
using Record = std::pair<std::string, std::string>;

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class ReplicationTest : public RegistryTest {
 protected:
  // The node under test sends its records here (what Kafka would store, in order).
  void capture() {
    registry_->setReplicator([this](const std::string& k, const std::string& v) {
      log_.emplace_back(k, v);
    });
    registry_->finishReplicatedLoad();  // publishes the bootstrap rows: the store never saw them
  }
  // The value last sent for `key`; nullopt when never sent.
  std::optional<std::string> last(const std::string& key) const {
    std::optional<std::string> out;
    for (const auto& [k, v] : log_)
      if (k == key) out = v;
    return out;
  }
  // A second node: its own SQLite file, waiting for the shared store before it bootstraps.
  std::unique_ptr<Registry> openPeer(const std::string& name) {
    Registry::Options o = options();
    o.dbPath = dir_ + "/" + name + "/registry.db";
    o.bootstrapCredentialsFile = peerCredentials(name);
    o.deferBootstrap = true;
    std::string error;
    auto r = Registry::open(o, &error);
    EXPECT_TRUE(r) << error;
    return r;
  }
  std::string peerCredentials(const std::string& name) const {
    return dir_ + "/" + name + "/root-credentials";
  }
  // The last record of each key, as a compacted topic keeps them.
  std::vector<Record> compacted() const {
    std::vector<Record> out;
    for (size_t i = 0; i < log_.size(); ++i) {
      bool later = false;
      for (size_t j = i + 1; j < log_.size(); ++j) later = later || log_[j].first == log_[i].first;
      if (!later) out.push_back(log_[i]);
    }
    return out;
  }
  static void deliver(Registry& to, const std::vector<Record>& records) {
    for (const auto& [k, v] : records) to.applyReplicated(k, v);
  }

  std::vector<Record> log_;
};

TEST_F(ReplicationTest, EveryChangeKindProducesItsRecords) {
  capture();
  std::string id = readyInstance();
  std::string sid = must(registry_->getInstance(main_, id)).storageId;
  Json instance = Json::parse(*last("instance/" + id));
  EXPECT_EQ(instance["status"], "ready");
  EXPECT_EQ(instance["storage_id"], sid);
  EXPECT_EQ(Json::parse(*last("storage/" + sid))["bound_instance_id"], id);
  EXPECT_EQ(Json::parse(*last("topic/" + id + "/demo_topic"))["name"], "demo_topic");
  EXPECT_EQ(Json::parse(*last("group/" + id + "/GID_demo"))["owner_account_id"], main_.accountId);

  auto [sub, subSecret] = subAccount("ops");
  EXPECT_EQ(Json::parse(*last("account/" + sub.accountId))["kind"], "sub");
  Json key = Json::parse(*last("accesskey/" + sub.accessKeyId));
  EXPECT_EQ(key["secret"], subSecret);  // the store is trusted: secrets travel whole
  Token t = must(registry_->applyToken(main_, id, {"demo_topic/#"}, kRead, nowMs() + 120'000));
  EXPECT_EQ(Json::parse(*last("token/" + t.value))["revoked"], false);
  must(registry_->revokeToken(main_, id, t.value));
  EXPECT_EQ(Json::parse(*last("token/" + t.value))["revoked"], true);
  DeviceCredential d = must(registry_->registerCredential(main_, id, "GID_demo@@@d1"));
  EXPECT_EQ(Json::parse(*last("credential/" + id + "/GID_demo@@@d1"))["key_secret"],
            d.deviceAccessKeySecret);

  must(registry_->deleteTopic(main_, id, "demo_topic"));
  EXPECT_EQ(last("topic/" + id + "/demo_topic"), "");
  must(registry_->deleteAccount(main_, sub.accountId));
  EXPECT_EQ(last("account/" + sub.accountId), "");
  EXPECT_EQ(last("accesskey/" + sub.accessKeyId), "");
  // An instance goes with its groups, tokens and credentials: each gets its tombstone.
  must(registry_->deleteInstance(main_, id));
  EXPECT_EQ(last("instance/" + id), "");
  EXPECT_EQ(last("group/" + id + "/GID_demo"), "");
  EXPECT_EQ(last("token/" + t.value), "");
  EXPECT_EQ(last("credential/" + id + "/GID_demo@@@d1"), "");
  // A refused change produces nothing.
  size_t before = log_.size();
  EXPECT_FALSE(registry_->deleteInstance(main_, id).ok());
  EXPECT_EQ(log_.size(), before);
}

TEST_F(ReplicationTest, APeerAppliesTheLogAndBootstrapsNothing) {
  capture();
  std::string id = readyInstance();
  auto peer = openPeer("b");
  ASSERT_TRUE(peer);
  std::vector<InstanceViewPtr> announced;
  peer->onInstanceChanged([&](const InstanceViewPtr& v) { announced.push_back(v); });
  ASSERT_EQ(log_[0].first, "account/" + main_.accountId);  // the first node's whole history
  deliver(*peer, log_);
  peer->finishReplicatedLoad();

  EXPECT_FALSE(std::filesystem::exists(peerCredentials("b")));  // the first node's account
  Caller main = peer->findAccessKey(mainKeyId_)->first;
  EXPECT_EQ(must(peer->listAccounts(main)).size(), 1u);
  InstanceViewPtr v = peer->view(id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->instance.status, InstanceStatus::Ready);
  EXPECT_TRUE(v->parentTopics.count("demo_topic"));
  EXPECT_TRUE(v->groupIds.count("GID_demo"));
  ASSERT_FALSE(announced.empty());
  EXPECT_EQ(announced.back()->instance.id, id);

  AdmitRequest r;
  std::string clientId = "GID_demo@@@dev-1", user = "Signature|" + mainKeyId_ + "|" + id;
  std::string password = crypto::devicePassword(mainSecret_, clientId);
  r.clientId = clientId;
  r.username = user;
  r.password = password;
  r.hasPassword = true;
  r.nowMs = nowMs();
  EXPECT_EQ(peer->admit(r).refusal, Refusal::None) << peer->admit(r).reason;

  // Applied twice: nothing changes, nobody is told.
  uint64_t g = peer->generation();
  size_t told = announced.size();
  deliver(*peer, compacted());
  EXPECT_EQ(peer->generation(), g);
  EXPECT_EQ(announced.size(), told);

  // The first node reads its own records back, older values of a key included: it never
  // goes back through them (its instance stays ready all along), and nothing changes.
  std::vector<InstanceViewPtr> ownAnnounced;
  registry_->onInstanceChanged([&](const InstanceViewPtr& v) { ownAnnounced.push_back(v); });
  uint64_t own = registry_->generation();
  deliver(*registry_, log_);
  EXPECT_EQ(registry_->generation(), own);
  EXPECT_TRUE(ownAnnounced.empty());

  // Stored in the peer's SQLite: a restart of the peer still has it.
  peer.reset();
  peer = openPeer("b");
  ASSERT_TRUE(peer->view(id));
  EXPECT_TRUE(peer->view(id)->parentTopics.count("demo_topic"));
}

TEST_F(ReplicationTest, DeletesTombstonesAndLastRecordWins) {
  capture();
  std::string id = readyInstance();
  auto peer = openPeer("b");
  ASSERT_TRUE(peer);
  deliver(*peer, log_);
  deliver(*registry_, log_);  // read back by the first node too
  ASSERT_TRUE(peer->view(id));
  std::vector<InstanceViewPtr> announced;
  peer->onInstanceChanged([&](const InstanceViewPtr& v) { announced.push_back(v); });

  // Deleting the storage on the first node makes the instance unusable on the peer.
  size_t seen = log_.size();
  std::string sid = peer->view(id)->instance.storageId;
  must(registry_->deleteStorage(main_, sid));
  std::vector<Record> change(log_.begin() + seen, log_.end());
  deliver(*peer, change);
  deliver(*registry_, change);
  EXPECT_EQ(peer->view(id)->instance.status, InstanceStatus::Unusable);
  ASSERT_FALSE(announced.empty());
  EXPECT_EQ(announced.back()->instance.status, InstanceStatus::Unusable);

  // Two records of one key: the later one stays, on every node that applies the sequence.
  std::string topicKey = "topic/" + id + "/demo_topic";
  Json topic = Json::parse(*last(topicKey));
  topic["remark"] = "first";
  std::string first = topic.dump();
  topic["remark"] = "second";
  std::string second = topic.dump();
  deliver(*peer, {{topicKey, first}, {topicKey, second}});
  deliver(*registry_, {{topicKey, first}, {topicKey, second}});
  Caller main = peer->findAccessKey(mainKeyId_)->first;
  EXPECT_EQ(must(peer->listTopics(main, id))[0].remark, "second");
  EXPECT_EQ(must(registry_->listTopics(main_, id))[0].remark, "second");

  // A tombstone deletes; a second one is a no-op.
  deliver(*peer, {{topicKey, ""}});
  EXPECT_FALSE(peer->view(id)->parentTopics.count("demo_topic"));
  uint64_t g = peer->generation();
  deliver(*peer, {{topicKey, ""}});
  EXPECT_EQ(peer->generation(), g);

  // Garbage, an unknown kind and a row that names another key are ignored.
  deliver(*peer, {{topicKey, "{not json"}, {"widget/x", "{}"}, {"topic/" + id + "/other", first}});
  EXPECT_EQ(peer->generation(), g);

  // A replicated instance delete takes its children along.
  deliver(*peer, {{"instance/" + id, ""}});
  EXPECT_FALSE(peer->view(id));
  deliver(*peer, {{"instance/" + id, *last("instance/" + id)}});  // back: without its group
  ASSERT_TRUE(peer->view(id));
  EXPECT_TRUE(must(peer->listGroups(main, id)).empty());
}

TEST_F(ReplicationTest, AppliedRecordsNeverGoBackToTheSink) {
  capture();
  auto peer = openPeer("b");
  std::vector<Record> sent;
  peer->setReplicator([&](const std::string& k, const std::string& v) { sent.emplace_back(k, v); });
  std::string id = readyInstance();
  deliver(*peer, log_);
  peer->finishReplicatedLoad();
  EXPECT_TRUE(sent.empty());  // everything it has came from the store
  deliver(*peer, {{"topic/" + id + "/demo_topic", ""}});
  EXPECT_TRUE(sent.empty());
}

TEST_F(ReplicationTest, DeferredBootstrapWaitsForTheLoad) {
  auto peer = openPeer("alone");
  ASSERT_TRUE(peer);
  std::vector<Record> sent;
  peer->setReplicator([&](const std::string& k, const std::string& v) { sent.emplace_back(k, v); });
  EXPECT_FALSE(std::filesystem::exists(peerCredentials("alone")));
  peer->finishReplicatedLoad();  // the store was empty: this node is the first
  auto profile = readProfile(peerCredentials("alone"));
  ASSERT_FALSE(profile["access_key_id"].empty());
  auto key = peer->findAccessKey(profile["access_key_id"]);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->first.kind, AccountKind::Main);
  ASSERT_EQ(sent.size(), 2u);  // its account and key, for the other nodes
  EXPECT_EQ(sent[0].first, "account/" + key->first.accountId);
  EXPECT_EQ(sent[1].first, "accesskey/" + key->first.accessKeyId);
  peer->finishReplicatedLoad();  // once only
  EXPECT_EQ(sent.size(), 2u);
}

TEST_F(ReplicationTest, LocalRowsTheStoreNeverSawArePublishedAtLoadEnd) {
  std::string id = readyInstance();  // made while the node ran alone
  std::vector<Record> sent;
  registry_->setReplicator([&](const std::string& k, const std::string& v) {
    sent.emplace_back(k, v);
  });
  std::string sid = must(registry_->getInstance(main_, id)).storageId;
  must(registry_->createTopic(main_, id, "later_topic", MessageType::Normal, ""));
  EXPECT_TRUE(sent.empty());  // records wait for the end of the load
  registry_->finishReplicatedLoad();
  std::set<std::string> keys;
  for (const auto& [k, v] : sent) keys.insert(k);
  EXPECT_TRUE(keys.count("account/" + main_.accountId));
  EXPECT_TRUE(keys.count("accesskey/" + mainKeyId_));
  EXPECT_TRUE(keys.count("instance/" + id));
  EXPECT_TRUE(keys.count("storage/" + sid));
  EXPECT_TRUE(keys.count("topic/" + id + "/demo_topic"));
  EXPECT_TRUE(keys.count("topic/" + id + "/later_topic"));
  EXPECT_TRUE(keys.count("group/" + id + "/GID_demo"));
}

TEST_F(ReplicationTest, KeysTheStoreDeliveredAreNotRepublished) {
  std::string id = readyInstance();
  std::vector<Record> sent;
  registry_->setReplicator([&](const std::string& k, const std::string& v) {
    sent.emplace_back(k, v);
  });
  // The load delivers the topic (deleted by another node meanwhile) and the group as it is.
  registry_->applyReplicated("topic/" + id + "/demo_topic", "");
  auto groups = must(registry_->listGroups(main_, id));
  ASSERT_EQ(groups.size(), 1u);
  registry_->applyReplicated("group/" + id + "/GID_demo", recordValue(groups[0]));
  registry_->finishReplicatedLoad();
  for (const auto& [k, v] : sent) {
    EXPECT_NE(k, "topic/" + id + "/demo_topic");
    EXPECT_NE(k, "group/" + id + "/GID_demo");
  }
  EXPECT_FALSE(registry_->view(id)->parentTopics.count("demo_topic"));
  EXPECT_FALSE(sent.empty());  // the instance, storage, account and key were unseen
}

}  // namespace
}  // namespace mqgw::resources::testing
