// A place in the shared message log, named so it means the same on every node and after a
// restart: whatever outlives a process or crosses to another node (cursors, floors, released
// sessions) is written this way (state_record.h). Kafka: topic, partition and offset as Kafka
// numbers them; its PartitionTable maps these to the core's (partition index, offset).
#pragma once

#include <cstdint>
#include <string>

namespace mqgw::cluster {

struct NamedPosition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  bool operator==(const NamedPosition&) const = default;
};

}  // namespace mqgw::cluster
