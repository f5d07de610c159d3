#include "state_view.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "mqgw/plugin_abi.h"

namespace mqgw::cluster {
namespace {

// Records the writes a view makes, as the sessions topic would keep them.
struct FakeTopic {
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  StateView::Write writer() {
    return [this](const std::string& k, const std::string* v) {
      records.emplace_back(k, v ? std::optional<std::string>(*v) : std::nullopt);
      return MQGW_OK;
    };
  }
  SessionRecord lastSession() const {
    SessionRecord r;
    EXPECT_FALSE(records.empty());
    EXPECT_TRUE(records.back().second.has_value());
    EXPECT_TRUE(decode(*records.back().second, &r));
    return r;
  }
};

std::string sessionValue(const std::string& owner, const std::string& state) {
  return encode(SessionRecord{owner, state, {}, 1});
}

TEST(StateView, PutSessionWritesOwnerStateAndCursor) {
  StateView view("a");
  FakeTopic topic;
  ASSERT_EQ(view.putCursor("c1", {{"t", 0, 5}}, 1, topic.writer()), MQGW_OK);
  EXPECT_TRUE(topic.records.empty());  // no state yet: nothing worth storing
  ASSERT_EQ(view.putSession("c1", "S1", 2, topic.writer()), MQGW_OK);
  ASSERT_EQ(topic.records.size(), 1u);
  SessionRecord r = topic.lastSession();
  EXPECT_EQ(r.owner, "a");
  EXPECT_EQ(r.state, "S1");
  ASSERT_EQ(r.cursor.size(), 1u);
  EXPECT_EQ(r.cursor[0].offset, 5);
  // The same cursor again writes nothing; a new one rewrites the whole record.
  view.putCursor("c1", {{"t", 0, 5}}, 3, topic.writer());
  EXPECT_EQ(topic.records.size(), 1u);
  view.putCursor("c1", {{"t", 0, 9}}, 4, topic.writer());
  ASSERT_EQ(topic.records.size(), 2u);
  EXPECT_EQ(topic.lastSession().state, "S1");
  EXPECT_EQ(topic.lastSession().cursor[0].offset, 9);
}

TEST(StateView, OwnWritesWinOverAnOlderRecordReadBack) {
  StateView view("a");
  FakeTopic topic;
  view.putSession("c1", "new", 1, topic.writer());
  std::string older = sessionValue("a", "old");
  view.apply("c1", &older);  // the consumer is behind this node's writes
  StateView::Known k = view.lookup("c1");
  EXPECT_EQ(k.owner, "a");
  EXPECT_EQ(k.record.state, "new");
}

TEST(StateView, LookupFollowsTheTopicForOtherNodes) {
  StateView view("b");
  std::string v = sessionValue("a", "S");
  ASSERT_TRUE(view.apply("c1", &v));
  EXPECT_EQ(view.lookup("c1").owner, "a");
  EXPECT_EQ(view.lookup("c1").record.state, "S");
  ASSERT_TRUE(view.apply("c1", nullptr));
  EXPECT_EQ(view.lookup("c1").owner, "");
  std::string garbage = "\x07junk";
  EXPECT_FALSE(view.apply("c2", &garbage));
}

TEST(StateView, LostSessionsAreNotWrittenUntilClaimedBack) {
  StateView view("a");
  FakeTopic topic;
  view.putSession("c1", "S", 1, topic.writer());
  view.lost("c1", "b");
  EXPECT_EQ(view.lookup("c1").owner, "b");  // b holds it until its own record shows
  view.putSession("c1", "late", 2, topic.writer());
  view.putCursor("c1", {{"t", 0, 1}}, 2, topic.writer());
  view.deleteSession("c1", topic.writer());
  EXPECT_EQ(topic.records.size(), 1u);  // only the first put
  std::string byB = sessionValue("b", "SB");
  view.apply("c1", &byB);
  EXPECT_EQ(view.lookup("c1").owner, "b");
  EXPECT_EQ(view.lookup("c1").record.state, "SB");
  // Claimed back with b's state: a writes it as its own at once.
  SessionRecord taken{"b", "SB", {{"t", 1, 3}}, 0};
  ASSERT_EQ(view.claimed("c1", taken, 5, topic.writer()), MQGW_OK);
  ASSERT_EQ(topic.records.size(), 2u);
  EXPECT_EQ(topic.lastSession().owner, "a");
  EXPECT_EQ(topic.lastSession().cursor[0].partition, 1);
  view.putSession("c1", "again", 6, topic.writer());
  EXPECT_EQ(topic.records.size(), 3u);
}

TEST(StateView, LosingASessionNeverHeldHereKeepsNothing) {
  StateView view("a");
  FakeTopic topic;
  view.lost("elsewhere", "b");
  EXPECT_EQ(view.lookup("elsewhere").owner, "");
  view.putSession("elsewhere", "S", 1, topic.writer());  // a new session here later is written
  EXPECT_EQ(topic.records.size(), 1u);
}

TEST(StateView, LosingASessionStoredByThisNodeBeforeARestart) {
  StateView view("a");
  FakeTopic topic;
  std::string mine = sessionValue("a", "SA");
  view.apply("c1", &mine);  // not adopted (no load): the topic alone says a holds it
  view.lost("c1", "b");
  EXPECT_EQ(view.lookup("c1").owner, "b");
  view.putSession("c1", "late", 2, topic.writer());
  EXPECT_TRUE(topic.records.empty());
}

TEST(StateView, CleanClaimDropsTheOwnedStateButAllowsNewWrites) {
  StateView view("a");
  FakeTopic topic;
  view.putSession("c1", "S", 1, topic.writer());
  view.lost("c1", "b");
  view.claimed("c1", std::nullopt, 2, topic.writer());
  EXPECT_EQ(topic.records.size(), 1u);
  view.deleteSession("c1", topic.writer());
  ASSERT_EQ(topic.records.size(), 2u);
  EXPECT_FALSE(topic.records.back().second.has_value());  // a tombstone
}

TEST(StateView, LoadAdoptsOnlyThisNodesSessionsAndFloor) {
  StateView view("a");
  std::string mine = sessionValue("a", "SA"), theirs = sessionValue("b", "SB");
  view.apply("c1", &mine);
  view.apply("c2", &theirs);
  std::string floor = encode(FloorRecord{"a", {{"t", 0, 42}}, 1});
  view.apply(floorKey("a"), &floor);
  auto own = view.adoptOwnSessions();
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].first, "c1");
  auto f = view.floorOf("a");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ((*f)[0].offset, 42);
  EXPECT_FALSE(view.floorOf("b").has_value());
  // The loaded floor counts as written: the same floor is not written again.
  FakeTopic topic;
  view.putFloor({{"t", 0, 42}}, 2, topic.writer());
  EXPECT_TRUE(topic.records.empty());
  view.putFloor({{"t", 0, 43}}, 3, topic.writer());
  ASSERT_EQ(topic.records.size(), 1u);
  EXPECT_EQ(topic.records[0].first, floorKey("a"));
}

}  // namespace
}  // namespace mqgw::cluster
