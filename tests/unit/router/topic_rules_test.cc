// Topic name / filter syntax and $share parsing (MQTT 5.0 §4.7, §4.8.2).
#include "router/topic_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace mqgw::router {
namespace {

TEST(TopicRules, Names) {
  EXPECT_TRUE(validTopicName("a"));
  EXPECT_TRUE(validTopicName("sport/tennis/player1"));
  EXPECT_TRUE(validTopicName("/"));
  EXPECT_TRUE(validTopicName("a//b"));
  EXPECT_TRUE(validTopicName("$SYS/broker"));
  EXPECT_TRUE(validTopicName(" "));
  EXPECT_FALSE(validTopicName(""));
  EXPECT_FALSE(validTopicName("a/+"));
  EXPECT_FALSE(validTopicName("a/#"));
  EXPECT_FALSE(validTopicName("a+b"));
  EXPECT_FALSE(validTopicName(std::string("a\0b", 3)));
  EXPECT_TRUE(validTopicName(std::string(65535, 'x')));
  EXPECT_FALSE(validTopicName(std::string(65536, 'x')));
}

TEST(TopicRules, Filters) {
  for (const char* ok : {"#", "+", "a/#", "a/+", "+/+", "/+", "+/", "a/+/b", "sport/tennis/#",
                         "+/tennis/#", "a//b", "/", "$SYS/#", "$share/g/a"})
    EXPECT_TRUE(validTopicFilter(ok)) << ok;
  for (const char* bad : {"", "a#", "#a", "a/#/b", "#/", "sport/tennis#", "a+", "+a", "a/b+/c",
                          "++", "##", "a/##"})
    EXPECT_FALSE(validTopicFilter(bad)) << bad;
  EXPECT_FALSE(validTopicFilter(std::string("a/\0", 3)));
  EXPECT_TRUE(validTopicFilter(std::string(65533, 'x') + "/#"));
  EXPECT_FALSE(validTopicFilter(std::string(65534, 'x') + "/#"));
}

TEST(TopicRules, SharedFilters) {
  auto s = parseShared("$share/grp/sensors/+/temp");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->group, "grp");
  EXPECT_EQ(s->filter, "sensors/+/temp");
  s = parseShared("$share/g/#");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->filter, "#");
  s = parseShared("$share/g//");  // the filter "/" is two empty levels
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->filter, "/");

  EXPECT_TRUE(isShared("$share/g/a"));
  EXPECT_TRUE(isShared("$share/"));
  EXPECT_FALSE(isShared("$share"));
  EXPECT_FALSE(isShared("$SHARE/g/a"));
  EXPECT_FALSE(isShared("a/$share/g/a"));
  for (const char* bad : {"$share", "$share/", "$share/g", "$share/g/", "$share//a", "$share/+/a",
                          "$share/g#/a", "$share/g/a#", "$share/g/a/#/b", "a/b"})
    EXPECT_FALSE(parseShared(bad).has_value()) << bad;
  EXPECT_FALSE(parseShared(std::string("$share/g\0/a", 11)).has_value());
}

}  // namespace
}  // namespace mqgw::router
