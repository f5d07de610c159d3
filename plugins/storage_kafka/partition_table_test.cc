// Core partition indexes <-> Kafka (topic, partition): given in order of first sight, stable,
// safe to ask for from several threads at once.
#include "partition_table.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace mqgw::kafka {
namespace {

TEST(PartitionTable, IndexesFromZeroInOrderOfFirstSight) {
  PartitionTable t;
  EXPECT_EQ(t.index("mqtt.a", 2), 0u);
  EXPECT_EQ(t.index("mqtt.a", 0), 1u);
  EXPECT_EQ(t.index("mqtt.b", 2), 2u);
  EXPECT_EQ(t.index("mqtt.a", 2), 0u);
  EXPECT_EQ(t.index("mqtt.b", 2), 2u);
  std::string topic;
  int32_t partition = -1;
  ASSERT_TRUE(t.find(1, &topic, &partition));
  EXPECT_EQ(topic, "mqtt.a");
  EXPECT_EQ(partition, 0);
  EXPECT_FALSE(t.find(3, &topic, &partition));
}

TEST(PartitionTable, TopicAndPartitionDoNotRunTogether) {
  PartitionTable t;
  EXPECT_NE(t.index("t1", 1), t.index("t", 11));
}

TEST(PartitionTable, NamedAndBackDropsWhatIsUnknown) {
  PartitionTable t;
  t.index("x", 0);
  t.index("y", 3);
  mqgw_position core[] = {{1, 40}, {7, 1}, {0, 5}};
  std::vector<NamedPosition> named = t.named(core, 3);
  ASSERT_EQ(named.size(), 2u);  // index 7 was never given
  EXPECT_EQ(named[0].topic, "y");
  EXPECT_EQ(named[0].partition, 3);
  EXPECT_EQ(named[0].offset, 40);
  EXPECT_EQ(named[1].topic, "x");

  named.push_back({"z", 1, 9});  // a topic this table has not seen
  std::vector<mqgw_position> strict = t.toCore(named, false);
  ASSERT_EQ(strict.size(), 2u);
  EXPECT_EQ(strict[0].partition, 1u);
  EXPECT_EQ(strict[0].offset, 40u);
  EXPECT_EQ(strict[1].partition, 0u);
  EXPECT_EQ(strict[1].offset, 5u);
  std::string topic;
  int32_t partition;
  EXPECT_FALSE(t.find(2, &topic, &partition)) << "toCore(add=false) must not add";

  std::vector<mqgw_position> added = t.toCore(named, true);
  ASSERT_EQ(added.size(), 3u);
  EXPECT_EQ(added[2].partition, 2u);
  EXPECT_EQ(added[2].offset, 9u);
  ASSERT_TRUE(t.find(2, &topic, &partition));
  EXPECT_EQ(topic, "z");
}

TEST(PartitionTable, ConcurrentFirstSightsGiveEachPartitionOneIndex) {
  PartitionTable t;
  constexpr int kThreads = 4, kPartitions = 200;
  std::vector<std::vector<uint32_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      for (int p = 0; p < kPartitions; ++p) seen[i].push_back(t.index("topic", p));
    });
  for (auto& th : threads) th.join();
  for (int i = 1; i < kThreads; ++i) EXPECT_EQ(seen[i], seen[0]);
  std::set<uint32_t> distinct(seen[0].begin(), seen[0].end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kPartitions));
  EXPECT_EQ(*distinct.rbegin(), static_cast<uint32_t>(kPartitions - 1));
  for (int p = 0; p < kPartitions; ++p) {
    std::string topic;
    int32_t partition = -1;
    ASSERT_TRUE(t.find(seen[0][p], &topic, &partition));
    EXPECT_EQ(partition, p);
  }
}

}  // namespace
}  // namespace mqgw::kafka
