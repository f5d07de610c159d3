// TopicTree: MQTT matching semantics, insert/find/remove with pruning, many filters.
#include "router/topic_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mqgw::router {
namespace {

// A tree whose values are the filter strings themselves.
std::vector<std::string> matches(TopicTree<std::string>& t, std::string_view topic) {
  std::vector<std::string> out;
  t.match(topic, [&](std::string& f) { out.push_back(f); });
  std::sort(out.begin(), out.end());
  return out;
}

bool matchesOne(std::string_view filter, std::string_view topic) {
  TopicTree<std::string> t;
  t.insertOrGet(filter) = std::string(filter);
  std::vector<std::string> m = matches(t, topic);
  EXPECT_LE(m.size(), 1u) << filter << " vs " << topic;
  return m.size() == 1;
}

struct Case {
  const char* filter;
  const char* topic;
  bool expected;
};

// MQTT 5.0 §4.7.1 and §4.7.2 examples, then edge cases.
const Case kCases[] = {
    {"sport/tennis/player1/#", "sport/tennis/player1", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
    {"sport/#", "sport", true},
    {"#", "sport/tennis", true},
    {"sport/tennis/#", "sport/tennis", true},
    {"sport/tennis/+", "sport/tennis/player1", true},
    {"sport/tennis/+", "sport/tennis/player2", true},
    {"sport/tennis/+", "sport/tennis/player1/ranking", false},
    {"sport/+", "sport", false},
    {"sport/+", "sport/", true},
    {"+/+", "/finance", true},
    {"/+", "/finance", true},
    {"+", "/finance", false},
    {"+/tennis/#", "sport/tennis/player1", true},
    {"#", "$SYS/broker", false},
    {"+/monitor/Clients", "$SYS/monitor/Clients", false},
    {"$SYS/#", "$SYS/monitor/Clients", true},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
    {"$SYS/#", "$SYS", true},
    {"#", "$", false},
    {"+", "$", false},
    {"$", "$", true},
    {"+/#", "$SYS/x", false},
    {"a/$x/#", "a/$x/y", true},
    {"a/+", "a/$x", true},  // '$' only matters at the first level
    // exact and empty levels
    {"a/b", "a/b", true},
    {"a/b", "a/b/", false},
    {"a/b", "a", false},
    {"a/b", "A/b", false},
    {"a//b", "a//b", true},
    {"a/+/b", "a//b", true},
    {"a/b", "a//b", false},
    {"+", "a", true},
    {"+", "", true},
    {"/", "/", true},
    {"+/+", "/", true},
    {"+", "/", false},
    {"/#", "/", true},
    {"/#", "a", false},
    {"#", "/", true},
    {"#", "a/b/c/d", true},
    {"a/#", "a/", true},
    {"a/#", "ab", false},
    {"a/+/#", "a", false},
    {"a/+/#", "a/b", true},
    {"a/+/#", "a/b/c/d", true},
    {"+/+/+", "a/b", false},
    {"+/+/+", "a/b/c", true},
    {"+/#", "a", true},
    {"a/b/c", "a/b", false},
};

TEST(TopicTree, MatchTable) {
  for (const Case& c : kCases)
    EXPECT_EQ(matchesOne(c.filter, c.topic), c.expected) << c.filter << " vs " << c.topic;
}

TEST(TopicTree, AllMatchingFiltersOnceEach) {
  TopicTree<std::string> t;
  for (const char* f : {"a/b/c", "a/+/c", "a/#", "#", "+/+/+", "a/b/+", "a/b", "+/b/c/#", "b/#",
                        "a/b/c/d", "$SYS/#"})
    t.insertOrGet(f) = f;
  EXPECT_EQ(t.size(), 11u);
  EXPECT_EQ(matches(t, "a/b/c"), (std::vector<std::string>{"#", "+/+/+", "+/b/c/#", "a/#",
                                                           "a/+/c", "a/b/+", "a/b/c"}));
  EXPECT_EQ(matches(t, "a/b"), (std::vector<std::string>{"#", "a/#", "a/b"}));
  EXPECT_EQ(matches(t, "$SYS/x"), (std::vector<std::string>{"$SYS/#"}));
  EXPECT_EQ(matches(t, "c"), (std::vector<std::string>{"#"}));
}

TEST(TopicTree, InsertOrGetKeepsTheValue) {
  TopicTree<std::vector<int>> t;
  t.insertOrGet("a/+").push_back(1);
  t.insertOrGet("a/+").push_back(2);
  EXPECT_EQ(t.size(), 1u);
  ASSERT_NE(t.find("a/+"), nullptr);
  EXPECT_EQ(*t.find("a/+"), (std::vector<int>{1, 2}));
  EXPECT_EQ(t.find("a"), nullptr);      // an inner node is not a filter
  EXPECT_EQ(t.find("a/b"), nullptr);    // find is exact, not matching
  EXPECT_EQ(t.find("a/+/c"), nullptr);
  const auto& ct = t;
  EXPECT_NE(ct.find("a/+"), nullptr);
}

TEST(TopicTree, RemovePrunesOnlyEmptyBranches) {
  TopicTree<std::string> t;
  t.insertOrGet("a/b/c") = "abc";
  t.insertOrGet("a") = "a";
  t.insertOrGet("a/+/#") = "a+#";
  EXPECT_FALSE(t.remove("a/b"));  // an inner node, not a filter
  EXPECT_FALSE(t.remove("x"));
  EXPECT_TRUE(t.remove("a/b/c"));
  EXPECT_FALSE(t.remove("a/b/c"));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(matches(t, "a/b/c"), (std::vector<std::string>{"a+#"}));
  EXPECT_EQ(matches(t, "a"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(t.remove("a"));
  EXPECT_EQ(t.find("a/+/#")->size(), 3u);  // the child survived its parent's removal
  EXPECT_TRUE(t.remove("a/+/#"));
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(matches(t, "a/b/c").empty());
  // A pruned path can be used again.
  t.insertOrGet("a/b/c") = "again";
  EXPECT_EQ(matches(t, "a/b/c"), (std::vector<std::string>{"again"}));
}

TEST(TopicTree, RemoveIfEditsAndRemovesWhenAsked) {
  TopicTree<std::vector<int>> t;
  t.insertOrGet("s/#") = {1, 2};
  auto dropOne = [](int who) {
    return [who](std::vector<int>& v) {
      std::erase(v, who);
      return v.empty();
    };
  };
  EXPECT_FALSE(t.removeIf("s/#", dropOne(1)));  // edited, still has a subscriber
  EXPECT_EQ(*t.find("s/#"), (std::vector<int>{2}));
  EXPECT_TRUE(t.removeIf("s/#", dropOne(2)));
  EXPECT_EQ(t.find("s/#"), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

TEST(TopicTree, ManyFilters) {
  TopicTree<int> t;
  constexpr int kDevices = 2000;
  for (int i = 0; i < kDevices; ++i) {
    t.insertOrGet("dev/" + std::to_string(i) + "/cmd") = i;
    t.insertOrGet("dev/" + std::to_string(i) + "/#") = -1 - i;
  }
  t.insertOrGet("dev/+/cmd") = kDevices;
  EXPECT_EQ(t.size(), 2u * kDevices + 1);
  for (int i = 0; i < kDevices; i += 97) {
    std::vector<int> got;
    t.match("dev/" + std::to_string(i) + "/cmd", [&](int& v) { got.push_back(v); });
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<int>{-1 - i, i, kDevices}));
  }
  for (int i = 0; i < kDevices; ++i) {
    ASSERT_TRUE(t.remove("dev/" + std::to_string(i) + "/cmd"));
    ASSERT_TRUE(t.remove("dev/" + std::to_string(i) + "/#"));
  }
  EXPECT_EQ(t.size(), 1u);
  int hits = 0;
  t.match("dev/7/cmd", [&](int& v) { hits += v == kDevices; });
  EXPECT_EQ(hits, 1);
}

TEST(TopicTree, DeepTopicsDoNotRecurse) {
  TopicTree<int> t;
  std::string deep;
  for (int i = 0; i < 30000; ++i) deep += "+/";
  deep += "#";
  t.insertOrGet(deep) = 1;
  std::string topic(40000, '/');  // 40001 empty levels
  int hits = 0;
  t.match(topic, [&](int&) { ++hits; });
  EXPECT_EQ(hits, 1);
  EXPECT_TRUE(t.remove(deep));
  EXPECT_TRUE(t.empty());
}

TEST(TopicTree, NestedMatchFromTheCallback) {
  TopicTree<int> t;
  t.insertOrGet("a/+") = 1;
  t.insertOrGet("a/#") = 2;
  t.insertOrGet("b") = 10;
  int outer = 0, inner = 0;
  t.match("a/x", [&](int& v) {
    outer += v;
    t.match("b", [&](int& w) { inner += w; });
  });
  EXPECT_EQ(outer, 3);
  EXPECT_EQ(inner, 20);
}

}  // namespace
}  // namespace mqgw::router
