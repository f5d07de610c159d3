// TopicTree against a naive reference matcher, over random filters and topics drawn from a small
// alphabet so that overlaps, empty levels, '$' topics and wildcards are frequent.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "router/topic_rules.h"
#include "router/topic_tree.h"

namespace mqgw::router {
namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '/')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

// MQTT 5.0 §4.7, written the obvious way, level by level.
bool referenceMatch(const std::string& filter, const std::string& topic) {
  std::vector<std::string> f = split(filter), t = split(topic);
  if (!topic.empty() && topic[0] == '$' && (f[0] == "+" || f[0] == "#")) return false;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == "#") return true;
    if (i >= t.size()) return false;
    if (f[i] != "+" && f[i] != t[i]) return false;
  }
  return f.size() == t.size();
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::string topic() { return join(false); }
  std::string filter() { return join(true); }

 private:
  std::string join(bool wildcards) {
    static const char* kLevels[] = {"a", "b", "c", "", "$s"};
    static const char* kFirst[] = {"a", "b", "", "$s", "$"};
    int n = 1 + pick(4);
    std::string out;
    for (int i = 0; i < n; ++i) {
      if (i) out += '/';
      if (wildcards && pick(4) == 0) {
        if (i == n - 1 && pick(2) == 0) return out + "#";
        out += '+';
        continue;
      }
      out += i == 0 ? kFirst[pick(5)] : kLevels[pick(5)];
    }
    return out.empty() ? "a" : out;  // a lone empty level would be an invalid ""
  }
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::mt19937 rng_;
};

// Every matching filter, from the tree and from the reference over the live filter set.
void expectSameMatches(TopicTree<std::string>& tree, const std::set<std::string>& live,
                       const std::string& topic) {
  std::vector<std::string> got, want;
  tree.match(topic, [&](std::string& f) { got.push_back(f); });
  for (const std::string& f : live)
    if (referenceMatch(f, topic)) want.push_back(f);
  std::sort(got.begin(), got.end());
  ASSERT_EQ(got, want) << "topic '" << topic << "'";
}

TEST(TopicTreeProperty, AgreesWithReferenceMatcher) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    Generator gen(seed);
    TopicTree<std::string> tree;
    std::set<std::string> live;
    for (int i = 0; i < 60; ++i) {
      std::string f = gen.filter();
      ASSERT_TRUE(validTopicFilter(f)) << f;
      tree.insertOrGet(f) = f;
      live.insert(f);
    }
    ASSERT_EQ(tree.size(), live.size());
    for (int i = 0; i < 200; ++i) {
      std::string topic = gen.topic();
      ASSERT_TRUE(validTopicName(topic)) << topic;
      expectSameMatches(tree, live, topic);
    }

    // Remove about half (some never inserted), then check again: pruning must not lose others.
    for (int i = 0; i < 40; ++i) {
      std::string f = gen.filter();
      EXPECT_EQ(tree.remove(f), live.erase(f) == 1) << f;
    }
    ASSERT_EQ(tree.size(), live.size());
    for (int i = 0; i < 200; ++i) expectSameMatches(tree, live, gen.topic());
  }
}

TEST(TopicTreeProperty, ReferenceAgreesWithSpecExamples) {
  // Guards the reference itself, so a shared misunderstanding cannot pass both.
  EXPECT_TRUE(referenceMatch("sport/#", "sport"));
  EXPECT_TRUE(referenceMatch("+/+", "/finance"));
  EXPECT_FALSE(referenceMatch("+", "/finance"));
  EXPECT_FALSE(referenceMatch("#", "$SYS"));
  EXPECT_FALSE(referenceMatch("sport/tennis/+", "sport/tennis/player1/ranking"));
}

}  // namespace
}  // namespace mqgw::router
