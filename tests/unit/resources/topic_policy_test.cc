// Topic and filter rules under parent topics, P2P targets, token grant coverage, and the name
// rules shared with the management API.
#include "resources/topic_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace mqgw::resources {
namespace {

InstanceView viewWith(std::initializer_list<const char*> parents) {
  InstanceView v;
  v.instance.id = "mqtt-test";
  for (const char* p : parents) v.parentTopics.insert(p);
  return v;
}

TEST(TopicPolicy, TopicNames) {
  InstanceView v = viewWith({"demo_topic", "abc"});
  EXPECT_EQ(checkTopicName(v, "demo_topic", 64), "");
  EXPECT_EQ(checkTopicName(v, "demo_topic/dev1", 64), "");
  EXPECT_EQ(checkTopicName(v, "abc", 64), "");
  EXPECT_EQ(checkTopicName(v, "demo_topic/a-b/C_9", 64), "");
  EXPECT_NE(checkTopicName(v, "other/dev1", 64), "");       // unknown parent
  EXPECT_NE(checkTopicName(v, "demo_topic/+", 64), "");     // no wildcard in a name
  EXPECT_NE(checkTopicName(v, "demo_topic/#", 64), "");
  EXPECT_NE(checkTopicName(v, "demo_topic//x", 64), "");    // empty level
  EXPECT_NE(checkTopicName(v, "demo_topic/", 64), "");
  EXPECT_NE(checkTopicName(v, "demo_topic/a b", 64), "");   // bad character
  EXPECT_NE(checkTopicName(v, "/demo_topic", 64), "");
  EXPECT_NE(checkTopicName(v, "ab", 64), "");               // under 3 characters
  std::string at64 = "demo_topic/" + std::string(64 - 11, 'x');
  EXPECT_EQ(checkTopicName(v, at64, 64), "");
  EXPECT_NE(checkTopicName(v, at64 + "x", 64), "");         // 65 > maxLength
  EXPECT_EQ(checkTopicName(v, at64 + "x", 65), "");
  EXPECT_NE(checkTopicName(v, "ab", 64).find("3..64"), std::string::npos);
  EXPECT_NE(checkTopicName(v, "other/dev1", 64).find("other"), std::string::npos);
}

TEST(TopicPolicy, P2PTopicsAllowAClientIdLevel) {
  InstanceView v = viewWith({"demo_topic"});
  EXPECT_EQ(checkTopicName(v, "demo_topic/p2p/GID_demo@@@dev-1", 64), "");
  EXPECT_NE(checkTopicName(v, "demo_topic/x/GID_demo@@@dev-1", 64), "");   // not after p2p
  EXPECT_NE(checkTopicName(v, "demo_topic/p2p/GID_demo@@@dev-1/x", 64), "");
  EXPECT_NE(checkTopicName(v, "demo_topic/p2p/bad@@@", 64), "");
  EXPECT_EQ(p2pTarget("demo_topic/p2p/GID_demo@@@dev-1"), "GID_demo@@@dev-1");
  EXPECT_FALSE(p2pTarget("demo_topic/p2p"));
  EXPECT_FALSE(p2pTarget("demo_topic/p2p/"));
  EXPECT_FALSE(p2pTarget("demo_topic/p2p/a/b"));
  EXPECT_FALSE(p2pTarget("demo_topic/other/a"));
  EXPECT_FALSE(p2pTarget("p2p/a/b"));
}

TEST(TopicPolicy, Filters) {
  InstanceView v = viewWith({"demo_topic"});
  for (const char* ok : {"demo_topic", "demo_topic/#", "demo_topic/+", "demo_topic/+/x",
                         "demo_topic/a/#", "demo_topic/+/+"})
    EXPECT_EQ(checkTopicFilter(v, ok, 64), "") << ok;
  for (const char* bad : {"#", "+/x", "+", "demo_topic/#/x", "demo_topic/a#", "demo_topic/a+",
                          "other/#", "demo_topic//#", "$share/g/demo_topic/#"})
    EXPECT_NE(checkTopicFilter(v, bad, 64), "") << bad;
}

Grant grant(std::vector<std::string> resources, uint8_t actions, int64_t expireMs = 1000) {
  return Grant{"tok", std::move(resources), actions, expireMs};
}

TEST(TopicPolicy, PublishNeedsAMatchingWriteGrant) {
  std::vector<Grant> g{grant({"demo_topic/+/temp", "demo_topic/a/#"}, kWrite)};
  EXPECT_TRUE(grantsAllow(g, "demo_topic/x/temp", kWrite, 10));
  EXPECT_TRUE(grantsAllow(g, "demo_topic/a", kWrite, 10));  // "a/#" matches "a"
  EXPECT_TRUE(grantsAllow(g, "demo_topic/a/b/c", kWrite, 10));
  EXPECT_FALSE(grantsAllow(g, "demo_topic/x/temp/y", kWrite, 10));
  EXPECT_FALSE(grantsAllow(g, "demo_topic/x", kWrite, 10));
  EXPECT_FALSE(grantsAllow(g, "demo_topic/x/temp", kRead, 10));   // a write-only grant
  EXPECT_FALSE(grantsAllow(g, "demo_topic/x/temp", kWrite, 1000));  // expired at nowMs
  EXPECT_FALSE(grantsAllow({}, "demo_topic/x/temp", kWrite, 10));
}

TEST(TopicPolicy, SubscribeNeedsACoveringReadGrant) {
  std::vector<Grant> hash{grant({"demo_topic/#"}, kRead)};
  EXPECT_TRUE(grantsAllow(hash, "demo_topic/#", kRead, 10));
  EXPECT_TRUE(grantsAllow(hash, "demo_topic/+/x", kRead, 10));
  EXPECT_TRUE(grantsAllow(hash, "demo_topic", kRead, 10));

  std::vector<Grant> plus{grant({"demo_topic/+"}, kRead)};
  EXPECT_TRUE(grantsAllow(plus, "demo_topic/a", kRead, 10));
  EXPECT_TRUE(grantsAllow(plus, "demo_topic/+", kRead, 10));
  EXPECT_FALSE(grantsAllow(plus, "demo_topic/#", kRead, 10));  // '#' only under a '#' grant
  EXPECT_FALSE(grantsAllow(plus, "demo_topic/a/b", kRead, 10));
  EXPECT_FALSE(grantsAllow(plus, "demo_topic", kRead, 10));

  std::vector<Grant> literal{grant({"demo_topic/a"}, kRead)};
  EXPECT_TRUE(grantsAllow(literal, "demo_topic/a", kRead, 10));
  EXPECT_FALSE(grantsAllow(literal, "demo_topic/+", kRead, 10));
  EXPECT_FALSE(grantsAllow(literal, "demo_topic/b", kRead, 10));

  std::vector<Grant> deep{grant({"demo_topic/+/#"}, kRead)};
  EXPECT_FALSE(grantsAllow(deep, "demo_topic/#", kRead, 10));  // "#" also matches demo_topic
  EXPECT_TRUE(grantsAllow(deep, "demo_topic/a/#", kRead, 10));
}

TEST(TopicPolicy, BothActionsNeedBoth) {
  std::vector<Grant> g{grant({"demo_topic/#"}, kRead), grant({"demo_topic/a"}, kWrite)};
  EXPECT_TRUE(grantsAllow(g, "demo_topic/a", kRead | kWrite, 10));
  EXPECT_FALSE(grantsAllow(g, "demo_topic/b", kRead | kWrite, 10));
  EXPECT_FALSE(grantsAllow(g, "demo_topic/a", 0, 10));
}

TEST(TopicPolicy, ParentTopicNames) {
  EXPECT_FALSE(validParentTopic("ab"));
  EXPECT_TRUE(validParentTopic("abc"));
  EXPECT_TRUE(validParentTopic(std::string(64, 'a')));
  EXPECT_FALSE(validParentTopic(std::string(65, 'a')));
  EXPECT_TRUE(validParentTopic("A-z_09"));
  for (const char* bad : {"a/bc", "ab+", "ab#", "a bc", "abc.", "", "ab\xc3\xa9"})
    EXPECT_FALSE(validParentTopic(bad)) << bad;
}

TEST(TopicPolicy, GroupIds) {
  EXPECT_TRUE(validGroupId("GID_abc"));   // 7 characters
  EXPECT_TRUE(validGroupId("GID-abc"));
  EXPECT_FALSE(validGroupId("GID_ab"));   // 6
  EXPECT_TRUE(validGroupId("GID_" + std::string(60, 'x')));   // 64
  EXPECT_FALSE(validGroupId("GID_" + std::string(61, 'x')));  // 65
  for (const char* bad : {"GIDxabc", "gid_abc", "XGID_abc", "GID_ab c", "GID_ab@c", "GID_a/bc"})
    EXPECT_FALSE(validGroupId(bad)) << bad;
}

TEST(TopicPolicy, ClientIds) {
  auto parts = splitClientId("GID_demo@@@dev-1");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->first, "GID_demo");
  EXPECT_EQ(parts->second, "dev-1");
  std::string group = "GID_demo", at64 = group + "@@@" + std::string(64 - 11, 'd');
  EXPECT_TRUE(splitClientId(at64));
  EXPECT_FALSE(splitClientId(at64 + "d"));  // 65 characters in all
  for (const char* bad : {"GID_demo", "GID_demo@@@", "@@@dev", "GID_demo@@dev", "GID_demo@@@d@v",
                          "GID_de mo@@@dev", "nogid@@@dev", "GID_demo@@@dev/1"})
    EXPECT_FALSE(splitClientId(bad)) << bad;
}

}  // namespace
}  // namespace mqgw::resources
