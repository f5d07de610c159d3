// $share groups across nodes: every node with a local member of group G under filter F joins
// one Kafka consumer group for (instance, G, F), subscribed to the data topics F can match.
// Kafka hands each partition to one node of the group, so each message goes to one node, and
// the core there picks one local member (host->storage_feed_shared). The split unit is the
// partition (records of one key stay in order on one node). Offsets are committed after the
// message is handed to the core: a node crash can lose what it had taken but not delivered
// (QoS 0 semantics for shared groups across a crash — docs/operations/kafka.md).
#pragma once

#include <memory>
#include <string>

#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"
#include "partition_table.h"

namespace mqgw::kafka {

class Shares {
 public:
  Shares(const mqgw_host_api* host, const Settings& settings, PartitionTable& table);
  ~Shares();  // stops every group consumer
  Shares(const Shares&) = delete;
  Shares& operator=(const Shares&) = delete;

  bool configure(std::string* why);
  void stop();
  int join(mqgw_str group, mqgw_str filter);   // storage op share_join
  int leave(mqgw_str group, mqgw_str filter);  // storage op share_leave

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqgw::kafka
