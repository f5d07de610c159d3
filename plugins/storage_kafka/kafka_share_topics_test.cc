// The $share consumers' group ids, subscriptions and MQTT topic matching (kafka_share_topics.h).
#include "kafka_share_topics.h"

#include <gtest/gtest.h>
#include <regex.h>

namespace mqgw::kafka {
namespace {

Settings settings(const std::string& tmpl, const std::string& instance = "t1") {
  Settings s;
  s.bootstrapServers = "b:9092";
  s.topicTemplate = tmpl;
  s.instance = instance;
  return s;
}

// librdkafka compiles subscriptions with POSIX extended regexes.
bool regexMatches(const std::string& pattern, const std::string& text) {
  regex_t re;
  EXPECT_EQ(regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB), 0) << pattern;
  bool matched = regexec(&re, text.c_str(), 0, nullptr, 0) == 0;
  regfree(&re);
  return matched;
}

TEST(KafkaShareTopics, Fnv1aHasKnownValues) {
  EXPECT_EQ(fnv1aHex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1aHex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1aHex("foobar"), "85944171f73967e8");
}

TEST(KafkaShareTopics, GroupIdNamesInstanceGroupAndFilterHash) {
  Settings s = settings("mqtt.{instance}.{parent}", "eu/1");
  EXPECT_EQ(shareGroupId(s, "workers", "jobs/#"), "mqgw.eu_1.share.workers." + fnv1aHex("jobs/#"));
  EXPECT_EQ(shareGroupId(s, "a b", "x"), "mqgw.eu_1.share.a_b." + fnv1aHex("x"));
  EXPECT_NE(shareGroupId(s, "g", "a/+"), shareGroupId(s, "g", "a/#"));
}

TEST(KafkaShareTopics, LiteralFirstLevelSubscribesToItsOneTopic) {
  Settings s = settings("mqtt.{instance}.{parent}");
  EXPECT_EQ(shareSubscription(s, "sensors/+/temp"), "mqtt.t1.sensors");
  EXPECT_EQ(shareSubscription(s, "room 7"), "mqtt.t1.room_7");
  EXPECT_EQ(shareSubscription(s, std::string(300, 'x')), "");  // too long for Kafka
}

TEST(KafkaShareTopics, WildcardFirstLevelSubscribesToTheDataTopicRegex) {
  Settings s = settings("mqtt.{instance}.{parent}");
  EXPECT_EQ(shareSubscription(s, "+/temp"), "^mqtt\\.t1\\.[A-Za-z0-9._-]+$");
  EXPECT_EQ(shareSubscription(s, "#"), dataTopicRegex(s));
}

TEST(KafkaShareTopics, RegexAgreesWithIsDataTopic) {
  for (const char* tmpl : {"mqtt.{instance}.{parent}", "{parent}-x", "fixed.topic",
                           "a.{parent}.b.{parent}"}) {
    Settings s = settings(tmpl);
    std::string re = dataTopicRegex(s);
    for (const char* name : {"mqtt.t1.sensors", "mqtt.t1.", "mqttXt1.sensors", "mqtt.t2.a",
                             "mqtt.t1.a.b", "y-x", "-x", "fixed.topic", "fixedXtopic",
                             "a.p.b.q", "a.p.b.", "mqgw.t1.sessions", "mqtt.t1.a b"}) {
      EXPECT_EQ(regexMatches(re, name), isDataTopic(s, name)) << tmpl << " / " << name;
    }
  }
}

TEST(KafkaShareTopics, TopicMatchingFollowsMqtt) {
  EXPECT_TRUE(topicMatchesFilter("a/b", "a/b"));
  EXPECT_FALSE(topicMatchesFilter("a/b", "a/b/c"));
  EXPECT_FALSE(topicMatchesFilter("a/b/c", "a/b"));
  EXPECT_TRUE(topicMatchesFilter("a/+/c", "a/x/c"));
  EXPECT_FALSE(topicMatchesFilter("a/+", "a"));
  EXPECT_TRUE(topicMatchesFilter("a/+", "a/"));
  EXPECT_TRUE(topicMatchesFilter("a/#", "a"));
  EXPECT_TRUE(topicMatchesFilter("a/#", "a/b/c"));
  EXPECT_FALSE(topicMatchesFilter("a/#", "ab/c"));
  EXPECT_TRUE(topicMatchesFilter("#", "x/y"));
  EXPECT_FALSE(topicMatchesFilter("#", "$SYS/x"));
  EXPECT_FALSE(topicMatchesFilter("+/x", "$SYS/x"));
  EXPECT_TRUE(topicMatchesFilter("$SYS/#", "$SYS/x"));
  EXPECT_TRUE(topicMatchesFilter("+/+", "/x"));
}

}  // namespace
}  // namespace mqgw::kafka
