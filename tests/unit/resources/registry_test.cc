// Instances, storage instances, binding, topics and groups: the product's rules and the views
// and listeners the gateway relies on.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "registry_fixture.h"

namespace mqgw::resources::testing {
namespace {

using InstanceTest = RegistryTest;

StorageInstance storage(Registry& r, const Caller& c, NamespaceType ns = NamespaceType::Dedicated) {
  Registry::StorageRequest sr;
  sr.name = "s1";
  sr.kind = "native";
  sr.namespaceType = ns;
  return must(r.createStorage(c, sr));
}

TEST_F(InstanceTest, CreateGivesIdDefaultsAndAnUnboundView) {
  Instance i = must(registry_->createInstance(main_, {"my instance", "", {}, {}}));
  EXPECT_EQ(i.id.size(), 17u);
  EXPECT_EQ(i.id.rfind("mqtt-", 0), 0u);
  EXPECT_EQ(i.region, "test-region");
  EXPECT_EQ(i.status, InstanceStatus::Unbound);
  EXPECT_EQ(i.ownerAccountId, main_.accountId);
  EXPECT_GT(i.createdMs, 0);
  auto v = registry_->view(i.id);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->instance.status, InstanceStatus::Unbound);
  EXPECT_EQ(must(registry_->getInstance(main_, i.id)).name, "my instance");
  EXPECT_EQ(must(registry_->listInstances(main_)).size(), 1u);
  EXPECT_EQ(codeOf(registry_->getInstance(main_, "mqtt-nope")), "InstanceNotFound");
  EXPECT_EQ(statusOf(registry_->getInstance(main_, "mqtt-nope")), 404);
  Instance r2 = must(registry_->createInstance(main_, {"x", "eu-1", NamespaceType::Shared, {}}));
  EXPECT_EQ(r2.region, "eu-1");
  EXPECT_EQ(r2.namespaceType, NamespaceType::Shared);
}

TEST_F(InstanceTest, InstanceNamesAndSpecsAreChecked) {
  EXPECT_EQ(codeOf(registry_->createInstance(main_, {"", "", {}, {}})),
            "InvalidParameter.InstanceName");
  EXPECT_TRUE(registry_->createInstance(main_, {std::string(64, 'n'), "", {}, {}}).ok());
  EXPECT_EQ(codeOf(registry_->createInstance(main_, {std::string(65, 'n'), "", {}, {}})),
            "InvalidParameter.InstanceName");
  EXPECT_EQ(codeOf(registry_->createInstance(main_, {"a\nb", "", {}, {}})),
            "InvalidParameter.InstanceName");
  Spec zero;
  zero.maxConnections = 0;
  EXPECT_EQ(codeOf(registry_->createInstance(main_, {"n", "", {}, zero})), "InvalidParameter.Spec");
  Instance i = must(registry_->createInstance(main_, {"n", "", {}, {}}));
  uint64_t before = registry_->generation();
  Spec bigger;
  bigger.maxMessageSize = 1 << 20;
  EXPECT_EQ(must(registry_->updateSpec(main_, i.id, bigger)).spec.maxMessageSize, 1u << 20);
  EXPECT_GT(registry_->generation(), before);
  EXPECT_EQ(registry_->view(i.id)->instance.spec.maxMessageSize, 1u << 20);
}

TEST_F(InstanceTest, StorageKindsMustBeServed) {
  Registry::StorageRequest sr;
  sr.name = "k";
  sr.kind = "kafka";
  auto r = registry_->createStorage(main_, sr);
  EXPECT_EQ(codeOf(r), "StorageKindNotServed");
  EXPECT_EQ(statusOf(r), 400);
  EXPECT_NE(r.error->message.find("native, memory"), std::string::npos) << r.error->message;
  sr.kind = "";
  EXPECT_EQ(codeOf(registry_->createStorage(main_, sr)), "InvalidParameter.Kind");
  sr.kind = "memory";
  sr.name = "";
  EXPECT_EQ(codeOf(registry_->createStorage(main_, sr)), "InvalidParameter.Name");
  sr.name = "s0";
  sr.settings = {{"path", "/var/lib/x"}};  // the node's `storage:` section configures backends
  EXPECT_EQ(codeOf(registry_->createStorage(main_, sr)), "InvalidParameter.Settings");
  StorageInstance s = storage(*registry_, main_);
  EXPECT_EQ(s.id.rfind("store-", 0), 0u);
  EXPECT_TRUE(must(registry_->getStorage(main_, s.id)).settings.empty());
  EXPECT_EQ(must(registry_->listStorage(main_)).size(), 1u);
}

TEST_F(InstanceTest, BindOnceOneInstancePerStorageSameNamespace) {
  Instance a = must(registry_->createInstance(main_, {"a", "", {}, {}}));
  Instance b = must(registry_->createInstance(main_, {"b", "", {}, {}}));
  StorageInstance s1 = storage(*registry_, main_), s2 = storage(*registry_, main_);
  StorageInstance shared = storage(*registry_, main_, NamespaceType::Shared);

  auto mismatch = registry_->bind(main_, a.id, shared.id);
  EXPECT_EQ(codeOf(mismatch), "NamespaceTypeMismatch");
  EXPECT_EQ(statusOf(mismatch), 400);
  EXPECT_EQ(codeOf(registry_->bind(main_, "mqtt-none", s1.id)), "InstanceNotFound");
  EXPECT_EQ(codeOf(registry_->bind(main_, a.id, "store-none")), "StorageInstanceNotFound");

  Instance bound = must(registry_->bind(main_, a.id, s1.id));
  EXPECT_EQ(bound.status, InstanceStatus::Ready);
  EXPECT_EQ(bound.storageId, s1.id);
  EXPECT_EQ(must(registry_->getStorage(main_, s1.id)).boundInstanceId, a.id);
  EXPECT_EQ(registry_->view(a.id)->instance.status, InstanceStatus::Ready);

  auto again = registry_->bind(main_, a.id, s2.id);
  EXPECT_EQ(codeOf(again), "InstanceAlreadyBound");
  EXPECT_EQ(statusOf(again), 409);
  auto taken = registry_->bind(main_, b.id, s1.id);
  EXPECT_EQ(codeOf(taken), "StorageInstanceAlreadyBound");
  EXPECT_EQ(statusOf(taken), 409);
  EXPECT_EQ(must(registry_->getInstance(main_, a.id)).storageId, s1.id);  // unchanged
}

TEST_F(InstanceTest, DeletingBoundStorageMakesTheInstanceUnusableForEver) {
  std::vector<InstanceViewPtr> seen;
  registry_->onInstanceChanged([&](const InstanceViewPtr& v) { seen.push_back(v); });
  Instance a = must(registry_->createInstance(main_, {"a", "", {}, {}}));
  StorageInstance s = storage(*registry_, main_);
  must(registry_->bind(main_, a.id, s.id));
  seen.clear();
  must(registry_->deleteStorage(main_, s.id));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]->instance.id, a.id);
  EXPECT_EQ(seen[0]->instance.status, InstanceStatus::Unusable);
  EXPECT_EQ(must(registry_->getInstance(main_, a.id)).status, InstanceStatus::Unusable);
  EXPECT_EQ(codeOf(registry_->getStorage(main_, s.id)), "StorageInstanceNotFound");
  // Binding is for ever: no second storage instance.
  StorageInstance s2 = storage(*registry_, main_);
  EXPECT_EQ(codeOf(registry_->bind(main_, a.id, s2.id)), "InstanceAlreadyBound");
}

TEST_F(InstanceTest, DeletingAnInstanceAnnouncesATombstoneAndKeepsTheBinding) {
  std::vector<InstanceViewPtr> seen;
  registry_->onInstanceChanged([&](const InstanceViewPtr& v) { seen.push_back(v); });
  std::string id = readyInstance();
  std::string storageId = must(registry_->getInstance(main_, id)).storageId;
  seen.clear();
  must(registry_->deleteInstance(main_, id));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]->instance.id, id);
  EXPECT_EQ(seen[0]->instance.status, InstanceStatus::Unusable);
  EXPECT_TRUE(seen[0]->parentTopics.empty());
  EXPECT_FALSE(registry_->view(id));
  EXPECT_EQ(codeOf(registry_->listTopics(main_, id)), "InstanceNotFound");
  EXPECT_EQ(must(registry_->getStorage(main_, storageId)).boundInstanceId, id);
  EXPECT_EQ(codeOf(registry_->deleteInstance(main_, id)), "InstanceNotFound");
  must(registry_->deleteStorage(main_, storageId));  // its instance is gone: nothing to mark
}

TEST_F(InstanceTest, TopicsUniquePerInstanceWithNameRules) {
  Instance i = must(registry_->createInstance(main_, {"a", "", {}, {}}));
  for (std::string ok : {std::string("abc"), std::string(64, 't'), std::string("A-b_9")})
    EXPECT_TRUE(registry_->createTopic(main_, i.id, ok, MessageType::Normal, "").ok()) << ok;
  for (std::string bad : {std::string("ab"), std::string(65, 't'), std::string("a/b/c"), std::string("ab c"),
                          std::string("abc#"), std::string("ab+")})
    EXPECT_EQ(codeOf(registry_->createTopic(main_, i.id, bad, MessageType::Normal, "")),
              "InvalidParameter.Topic") << bad;
  EXPECT_EQ(codeOf(registry_->createTopic(main_, i.id, "abc", MessageType::Ordered, "")),
            "TopicAlreadyExists");
  EXPECT_EQ(codeOf(registry_->createTopic(main_, i.id, "xyz", MessageType::Normal,
                                          std::string(129, 'r'))),
            "InvalidParameter.Remark");
  ParentTopic t = must(registry_->createTopic(main_, i.id, "xyz", MessageType::Ordered,
                                              std::string(128, 'r')));
  EXPECT_EQ(t.messageType, MessageType::Ordered);
  EXPECT_EQ(registry_->view(i.id)->parentTopics.count("xyz"), 1u);
  EXPECT_EQ(must(registry_->listTopics(main_, i.id)).size(), 4u);
  // Another instance has its own namespace.
  Instance j = must(registry_->createInstance(main_, {"b", "", {}, {}}));
  EXPECT_TRUE(registry_->createTopic(main_, j.id, "abc", MessageType::Normal, "").ok());
  must(registry_->deleteTopic(main_, i.id, "xyz"));
  EXPECT_EQ(registry_->view(i.id)->parentTopics.count("xyz"), 0u);
  EXPECT_EQ(codeOf(registry_->deleteTopic(main_, i.id, "xyz")), "TopicNotFound");
  EXPECT_EQ(codeOf(registry_->createTopic(main_, "mqtt-x", "abc", MessageType::Normal, "")),
            "InstanceNotFound");
}

TEST_F(InstanceTest, GroupsUniquePerInstanceWithNameRules) {
  Instance i = must(registry_->createInstance(main_, {"a", "", {}, {}}));
  EXPECT_EQ(codeOf(registry_->createGroup(main_, i.id, "GID_ab")), "InvalidParameter.GroupId");
  EXPECT_EQ(codeOf(registry_->createGroup(main_, i.id, "GRP_abc")), "InvalidParameter.GroupId");
  EXPECT_EQ(codeOf(registry_->createGroup(main_, i.id, "GID_" + std::string(61, 'g'))),
            "InvalidParameter.GroupId");
  EXPECT_TRUE(registry_->createGroup(main_, i.id, "GID_" + std::string(60, 'g')).ok());
  GroupId g = must(registry_->createGroup(main_, i.id, "GID-abc"));
  EXPECT_EQ(g.ownerAccountId, main_.accountId);
  auto dup = registry_->createGroup(main_, i.id, "GID-abc");
  EXPECT_EQ(codeOf(dup), "GroupIdAlreadyExists");
  EXPECT_EQ(statusOf(dup), 409);
  EXPECT_EQ(registry_->view(i.id)->groupIds.count("GID-abc"), 1u);
  must(registry_->deleteGroup(main_, i.id, "GID-abc"));
  EXPECT_EQ(codeOf(registry_->deleteGroup(main_, i.id, "GID-abc")), "GroupIdNotFound");
  EXPECT_EQ(registry_->view(i.id)->groupIds.count("GID-abc"), 0u);
}

TEST_F(InstanceTest, ViewsAndGenerationFollowChanges) {
  std::atomic<int> calls{0};
  registry_->onInstanceChanged([&](const InstanceViewPtr& v) {
    ++calls;
    // Listeners run outside the registry's locks: reading it back must not deadlock.
    EXPECT_EQ(registry_->view(v->instance.id)->generation, v->generation);
  });
  std::string id = readyInstance();
  EXPECT_EQ(calls.load(), 4);  // create, bind, topic, group; none for the storage instance
  auto v1 = registry_->view(id);
  must(registry_->createTopic(main_, id, "second", MessageType::Normal, ""));
  auto v2 = registry_->view(id);
  EXPECT_NE(v1, v2);
  EXPECT_GT(v2->generation, v1->generation);
  EXPECT_EQ(v1->parentTopics.count("second"), 0u);  // an old snapshot never changes
  EXPECT_EQ(registry_->generation(), v2->generation);
  EXPECT_EQ(registry_->views().size(), 1u);
}

}  // namespace
}  // namespace mqgw::resources::testing
