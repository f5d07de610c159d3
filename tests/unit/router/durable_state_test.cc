// The pieces of durable sessions that need no running gateway: the session record a backend
// stores, and a session's cursor — the first position it has not settled.
#include <gtest/gtest.h>

#include "router/session_cursor.h"
#include "router/session_record.h"

namespace mqgw {
namespace {

TEST(SessionRecord, RoundTripsSubscriptionsAndTimes) {
  router::SessionRecord r;
  r.expiryIntervalS = UINT32_MAX;
  r.detachedAtMs = 1700000000123ull;
  mqgw_sub_options a{sizeof(mqgw_sub_options), 1, 1, 0, 2, 0};
  mqgw_sub_options b{sizeof(mqgw_sub_options), 2, 0, 1, 0, 268435455};
  r.subscriptions = {{"a/+/c", a}, {"$share/g/x/#", b}};
  std::vector<uint8_t> bytes = router::encodeSessionRecord(r);
  auto back = router::decodeSessionRecord(bytes.data(), bytes.size());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->expiryIntervalS, UINT32_MAX);
  EXPECT_EQ(back->detachedAtMs, 1700000000123ull);
  ASSERT_EQ(back->subscriptions.size(), 2u);
  EXPECT_EQ(back->subscriptions[0].filter, "a/+/c");
  EXPECT_EQ(back->subscriptions[0].options.qos, 1);
  EXPECT_EQ(back->subscriptions[0].options.no_local, 1);
  EXPECT_EQ(back->subscriptions[0].options.retain_handling, 2);
  EXPECT_EQ(back->subscriptions[1].options.retain_as_published, 1);
  EXPECT_EQ(back->subscriptions[1].options.subscription_id, 268435455u);
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(router::decodeSessionRecord(bytes.data(), n)) << "truncated to " << n;
  bytes[0] = 2;
  EXPECT_FALSE(router::decodeSessionRecord(bytes.data(), bytes.size())) << "newer version";
}

std::vector<mqgw_position> next(const SessionCursor& c) {
  std::vector<mqgw_position> out;
  c.next(out);
  return out;
}

TEST(SessionCursor, IsTheFirstUnsettledPositionPerPartition) {
  SessionCursor c;
  EXPECT_TRUE(next(c).empty()) << "nothing outstanding: follows the floor";
  EXPECT_TRUE(c.add({0, 10}));
  EXPECT_FALSE(c.add({0, 11})) << "a later position does not move the cursor";
  EXPECT_FALSE(c.add({0, 12}));
  EXPECT_FALSE(c.settle({0, 11})) << "settling out of order leaves the cursor at 10";
  ASSERT_EQ(next(c).size(), 1u);
  EXPECT_EQ(next(c)[0].offset, 10u);
  EXPECT_TRUE(c.settle({0, 10}));
  EXPECT_EQ(next(c)[0].offset, 12u) << "11 was settled already";
  EXPECT_FALSE(c.settle({0, 99})) << "unknown positions change nothing";
  EXPECT_TRUE(c.add({3, 5})) << "partitions are independent";
  EXPECT_EQ(next(c).size(), 2u);
  EXPECT_TRUE(c.settle({0, 12}));
  ASSERT_EQ(next(c).size(), 1u);
  EXPECT_EQ(next(c)[0].partition, 3u);
}

TEST(SessionCursor, SkipsOnReplayOnlyBelowItsRestoredStart) {
  SessionCursor c;
  EXPECT_FALSE(c.skipOnReplay({0, 0})) << "not restored: nothing is skipped";
  c.replayFrom = {{0, 100}};
  EXPECT_TRUE(c.skipOnReplay({0, 99}));
  EXPECT_FALSE(c.skipOnReplay({0, 100}));
  EXPECT_FALSE(c.skipOnReplay({1, 5})) << "a partition it had no cursor for";
}

}  // namespace
}  // namespace mqgw
