// The packet-id table behind the outbound window.
#include <gtest/gtest.h>

#include <set>

#include "inflight.h"

namespace mqgw::mqttfe {
namespace {

TEST(Inflight, IdsAreSequentialAndFreedByRemove) {
  InflightTable t(3);
  EXPECT_EQ(t.add(AckWait::Puback), 1);
  EXPECT_EQ(t.add(AckWait::Pubrec), 2);
  EXPECT_EQ(t.add(AckWait::Puback), 3);
  EXPECT_TRUE(t.full());
  EXPECT_EQ(t.waiting(2), AckWait::Pubrec);
  EXPECT_EQ(t.waiting(4), AckWait::None);
  t.remove(2);
  EXPECT_FALSE(t.full());
  EXPECT_EQ(t.waiting(2), AckWait::None);
  t.set(1, AckWait::Pubcomp);
  EXPECT_EQ(t.waiting(1), AckWait::Pubcomp);
}

TEST(Inflight, IdsSkipSlotsStillTakenAndWrapPast65535) {
  InflightTable t(4);
  std::set<uint16_t> live;
  uint16_t oldest = t.add(AckWait::Puback);  // held for the whole test
  live.insert(oldest);
  for (int i = 0; i < 70000; ++i) {
    uint16_t id = t.add(AckWait::Puback);
    EXPECT_NE(id, 0);
    EXPECT_FALSE(live.count(id)) << "id " << id << " handed out twice";
    EXPECT_EQ(t.waiting(id), AckWait::Puback);
    t.remove(id);
  }
  EXPECT_EQ(t.waiting(oldest), AckWait::Puback);
  EXPECT_EQ(t.size(), 1u);
}

TEST(Inflight, GrowsToTheWindowAndKeepsEntries) {
  InflightTable t(100);
  std::vector<uint16_t> ids;
  while (!t.full()) ids.push_back(t.add(AckWait::Puback));
  EXPECT_EQ(ids.size(), 100u);
  for (uint16_t id : ids) EXPECT_EQ(t.waiting(id), AckWait::Puback);
}

TEST(Inflight, FullWindowOf65535) {
  InflightTable t(65535);
  std::set<uint16_t> ids;
  while (!t.full()) ids.insert(t.add(AckWait::Puback));
  EXPECT_EQ(ids.size(), 65535u);
  EXPECT_FALSE(ids.count(0));
}

}  // namespace
}  // namespace mqgw::mqttfe
