#include <gtest/gtest.h>

#include <map>

#include "router/shared_groups.h"

namespace mqgw::router {
namespace {

SharedMember member(uint32_t worker, uint64_t id) { return {worker, id, {}}; }

std::map<uint64_t, int> picks(SharedGroups& g, std::string_view topic, int n) {
  std::map<uint64_t, int> count;
  for (int i = 0; i < n; ++i)
    g.pick(topic, [&](const SharedGroup&, const SharedMember& m) { ++count[m.sessionId]; });
  return count;
}

TEST(SharedGroups, RoundRobinOverMembersOfEachMatchingGroup) {
  SharedGroups g;
  g.add("a", "s/#", member(0, 1));
  g.add("a", "s/#", member(1, 2));
  g.add("b", "s/+", member(0, 3));
  auto count = picks(g, "s/x", 10);
  EXPECT_EQ(count[1], 5);
  EXPECT_EQ(count[2], 5);
  EXPECT_EQ(count[3], 10) << "a second group gets every message too";
  EXPECT_TRUE(picks(g, "t/x", 3).empty());
  EXPECT_TRUE(picks(g, "$SYS/x", 3).empty()) << "wildcards do not match $ topics";
}

TEST(SharedGroups, RepeatedAddReplacesAndRemoveForgets) {
  SharedGroups g;
  SharedMember m = member(0, 1);
  g.add("a", "t", m);
  m.options.qos = 2;
  g.add("a", "t", m);
  int seen = 0;
  g.pick("t", [&](const SharedGroup& grp, const SharedMember& x) {
    ++seen;
    EXPECT_EQ(x.options.qos, 2);
    EXPECT_EQ(grp.members.size(), 1u);
    EXPECT_EQ(grp.filter, "t");
  });
  EXPECT_EQ(seen, 1);
  g.remove("a", "t", 0, 1);
  EXPECT_TRUE(g.empty()) << "the last member leaving prunes the group and the filter";
}

TEST(SharedGroups, AnotherSkipsTheGoneMember) {
  SharedGroups g;
  g.add("a", "t", member(0, 1));
  EXPECT_EQ(g.another("a", "t", 0, 1), nullptr);
  g.add("a", "t", member(1, 2));
  const SharedMember* m = g.another("a", "t", 0, 1);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->sessionId, 2u);
  EXPECT_EQ(g.another("nope", "t", 0, 1), nullptr);
}

}  // namespace
}  // namespace mqgw::router
