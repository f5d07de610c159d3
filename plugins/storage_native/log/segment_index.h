#pragma once
// The sparse offset index of one segment: kept in memory (authoritative while open) and
// mirrored to the .idx file, which is only a cache that recovery can rebuild from the data.
#include <cstdint>
#include <mutex>
#include <vector>

#include "log/file_ops.h"
#include "log/record_format.h"

namespace mqgw::nlog {

// Decides which records get an entry: the first record starting at least `interval` bytes after
// the previously indexed position. Used by the writer and by rebuilds, so both agree.
struct IndexBuilder {
  uint32_t interval;
  uint32_t last_indexed_pos;
  std::vector<IndexEntry> added;

  void onRecord(uint64_t offset, uint64_t pos) {
    if (pos - last_indexed_pos >= interval) {
      added.push_back({offset, static_cast<uint32_t>(pos)});
      last_indexed_pos = static_cast<uint32_t>(pos);
    }
  }
};

class SegmentIndex {
 public:
  SegmentIndex(uint64_t base_offset, uint32_t interval);

  // The last entry at or before `offset`, or {base, header end} when there is none.
  IndexEntry floor(uint64_t offset) const;
  std::vector<IndexEntry> entries() const;
  size_t size() const;

  // Writer side (one thread).
  IndexBuilder builder() const { return {interval_, last_indexed_pos_, {}}; }
  void commit(const IndexBuilder& b);
  // Replaces everything; `persisted` says how many leading entries the .idx file already holds.
  void assign(std::vector<IndexEntry> entries, uint32_t last_indexed_pos, size_t persisted);
  // Appends the entries the .idx file lacks. 0 or -errno (the in-memory index stays correct).
  int persist(FileOps& ops, int idx_fd);
  // Rewrites the whole .idx file: header and all entries.
  int rewrite(FileOps& ops, int idx_fd);

 private:
  mutable std::mutex mu_;  // readers look up while the writer appends
  uint64_t base_offset_;
  uint32_t interval_;
  std::vector<IndexEntry> entries_;
  uint32_t last_indexed_pos_ = kFileHeaderSize;
  size_t persisted_ = 0;  // writer-only
};

struct LoadedIndex {
  std::vector<IndexEntry> entries;  // the longest well-formed prefix
  bool clean = false;               // header good, every entry kept, no trailing bytes
};

// Reads an .idx file. An entry is well-formed when its crc matches, offsets and positions
// strictly increase, offset >= base and position lies in [header end, data_size).
int loadIndexFile(FileOps& ops, int idx_fd, uint64_t base_offset, uint64_t data_size,
                  LoadedIndex* out);

}  // namespace mqgw::nlog
