#include "partition_table.h"

#include <mutex>

namespace mqgw::kafka {
namespace {

// '\0' cannot appear in a Kafka topic name, so it separates the two parts unambiguously.
std::string keyOf(const std::string& topic, int32_t partition) {
  std::string key = topic;
  key += '\0';
  key += std::to_string(partition);
  return key;
}

}  // namespace

uint32_t PartitionTable::index(const std::string& topic, int32_t partition) {
  std::string key = keyOf(topic, partition);
  {
    std::shared_lock lock(mu_);
    auto it = byName_.find(key);
    if (it != byName_.end()) return it->second;
  }
  std::unique_lock lock(mu_);
  auto [it, added] = byName_.try_emplace(std::move(key), static_cast<uint32_t>(byIndex_.size()));
  if (added) byIndex_.emplace_back(topic, partition);  // another thread may have won the race
  return it->second;
}

bool PartitionTable::find(uint32_t index, std::string* topic, int32_t* partition) const {
  std::shared_lock lock(mu_);
  if (index >= byIndex_.size()) return false;
  *topic = byIndex_[index].first;
  *partition = byIndex_[index].second;
  return true;
}

std::vector<NamedPosition> PartitionTable::named(const mqgw_position* p, uint32_t n) const {
  std::vector<NamedPosition> out;
  out.reserve(n);
  std::shared_lock lock(mu_);
  for (uint32_t i = 0; i < n; ++i) {
    if (p[i].partition >= byIndex_.size()) continue;
    const auto& [topic, partition] = byIndex_[p[i].partition];
    out.push_back({topic, partition, static_cast<int64_t>(p[i].offset)});
  }
  return out;
}

std::vector<mqgw_position> PartitionTable::toCore(const std::vector<NamedPosition>& p, bool add) {
  std::vector<mqgw_position> out;
  out.reserve(p.size());
  for (const NamedPosition& np : p) {
    if (np.offset < 0) continue;  // not a position a record can have
    if (add) {
      out.push_back({index(np.topic, np.partition), static_cast<uint64_t>(np.offset)});
      continue;
    }
    std::shared_lock lock(mu_);
    auto it = byName_.find(keyOf(np.topic, np.partition));
    if (it != byName_.end()) out.push_back({it->second, static_cast<uint64_t>(np.offset)});
  }
  return out;
}

}  // namespace mqgw::kafka
