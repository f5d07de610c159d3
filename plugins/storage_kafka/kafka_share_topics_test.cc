// The $share consumers' group ids and subscriptions (kafka_share_topics.h); their MQTT topic
// matching is tested with plugins/cluster_state (topic_filter_test.cc).
#include "kafka_share_topics.h"

#include <gtest/gtest.h>
#include <regex.h>

#include "topic_filter.h"

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

TEST(KafkaShareTopics, GroupIdNamesInstanceGroupAndFilterHash) {
  Settings s = settings("mqtt.{instance}.{parent}", "eu/1");
  EXPECT_EQ(shareGroupId(s, "workers", "jobs/#"),
            "mqgw.eu_1.share.workers." + cluster::fnv1aHex("jobs/#"));
  EXPECT_EQ(shareGroupId(s, "a b", "x"), "mqgw.eu_1.share.a_b." + cluster::fnv1aHex("x"));
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

}  // namespace
}  // namespace mqgw::kafka
