// The core knows a stored message's place as (partition index, offset); Kafka as (topic,
// partition, offset). This table gives every Kafka partition this node has seen a small index,
// in the order seen. Indexes are local to one process: whatever outlives it or crosses to
// another node (cursors, floors, released sessions) is written with topic names (NamedPosition).
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "named_position.h"

namespace mqgw::kafka {

using cluster::NamedPosition;

class PartitionTable {
 public:
  // The index of (topic, partition), given one on first sight. Thread-safe.
  uint32_t index(const std::string& topic, int32_t partition);
  // The Kafka partition behind an index; false for an index never given.
  bool find(uint32_t index, std::string* topic, int32_t* partition) const;

  // Core positions ↔ named positions. toCore drops names this table has never seen (a topic
  // deleted since) unless `add` is true; fromCore drops unknown indexes.
  std::vector<NamedPosition> named(const mqgw_position* p, uint32_t n) const;
  std::vector<mqgw_position> toCore(const std::vector<NamedPosition>& p, bool add = true);

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::pair<std::string, int32_t>> byIndex_;
  std::unordered_map<std::string, uint32_t> byName_;  // "<topic>\0<partition>"
};

}  // namespace mqgw::kafka
