// MQTT topic levels and matching, and the FNV-1a names (topic_filter.h).
#include "topic_filter.h"

#include <gtest/gtest.h>

#include <vector>

namespace mqgw::cluster {
namespace {

TEST(TopicFilter, NextLevelSplitsAtSlashes) {
  std::string_view rest = "a//b/";
  std::vector<std::string_view> levels;
  bool more = true;
  while (more) levels.push_back(nextLevel(&rest, &more));
  EXPECT_EQ(levels, (std::vector<std::string_view>{"a", "", "b", ""}));
  rest = "";
  EXPECT_EQ(nextLevel(&rest, &more), "");
  EXPECT_FALSE(more);
}

TEST(TopicFilter, TopicMatchingFollowsMqtt) {
  EXPECT_TRUE(topicMatchesFilter("a/b", "a/b"));
  EXPECT_FALSE(topicMatchesFilter("a/b", "a/c"));
  EXPECT_FALSE(topicMatchesFilter("a/b", "a/b/c"));
  EXPECT_FALSE(topicMatchesFilter("a/b/c", "a/b"));
  EXPECT_TRUE(topicMatchesFilter("a/+/c", "a/x/c"));
  EXPECT_TRUE(topicMatchesFilter("a/+", "a/"));  // '+' matches an empty level
  EXPECT_FALSE(topicMatchesFilter("a/+", "a"));
  EXPECT_FALSE(topicMatchesFilter("a/+", "a/b/c"));
  EXPECT_TRUE(topicMatchesFilter("a/#", "a/b/c"));
  EXPECT_TRUE(topicMatchesFilter("a/#", "a"));  // the parent level
  EXPECT_FALSE(topicMatchesFilter("a/#", "ab"));
  EXPECT_FALSE(topicMatchesFilter("a/#", "ab/c"));
  EXPECT_TRUE(topicMatchesFilter("#", "a/b"));
  EXPECT_TRUE(topicMatchesFilter("+/+", "/x"));
  // AMQP "*" is a wildcard, MQTT "*" is not: the amqp share consumer relies on this check
  EXPECT_FALSE(topicMatchesFilter("a/*", "a/x"));
  EXPECT_TRUE(topicMatchesFilter("a/*", "a/*"));
}

TEST(TopicFilter, WildcardFirstLevelNeverMatchesDollarTopics) {
  EXPECT_FALSE(topicMatchesFilter("#", "$SYS/x"));
  EXPECT_FALSE(topicMatchesFilter("+/x", "$SYS/x"));
  EXPECT_TRUE(topicMatchesFilter("$SYS/#", "$SYS/x"));
  EXPECT_TRUE(topicMatchesFilter("$i/mqtt-1/#", "$i/mqtt-1/a"));
  EXPECT_FALSE(topicMatchesFilter("$i/mqtt-1/#", "$i/mqtt-2/a"));
  EXPECT_TRUE(topicMatchesFilter("a/+", "a/$x"));  // only the first level counts
}

TEST(TopicFilter, Fnv1aHasKnownValues) {
  EXPECT_EQ(fnv1aHex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1aHex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1aHex("foobar"), "85944171f73967e8");
}

}  // namespace
}  // namespace mqgw::cluster
