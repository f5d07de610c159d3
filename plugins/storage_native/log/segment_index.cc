#include "log/segment_index.h"

#include <algorithm>

namespace mqgw::nlog {

SegmentIndex::SegmentIndex(uint64_t base_offset, uint32_t interval)
    : base_offset_(base_offset), interval_(interval) {}

IndexEntry SegmentIndex::floor(uint64_t offset) const {
  std::lock_guard lock(mu_);
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](uint64_t o, const IndexEntry& e) { return o < e.offset; });
  if (it == entries_.begin()) return {base_offset_, kFileHeaderSize};
  return *(it - 1);
}

std::vector<IndexEntry> SegmentIndex::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

size_t SegmentIndex::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void SegmentIndex::commit(const IndexBuilder& b) {
  last_indexed_pos_ = b.last_indexed_pos;
  if (b.added.empty()) return;
  std::lock_guard lock(mu_);
  entries_.insert(entries_.end(), b.added.begin(), b.added.end());
}

void SegmentIndex::assign(std::vector<IndexEntry> entries, uint32_t last_indexed_pos,
                          size_t persisted) {
  std::lock_guard lock(mu_);
  entries_ = std::move(entries);
  last_indexed_pos_ = last_indexed_pos;
  persisted_ = std::min(persisted, entries_.size());
}

int SegmentIndex::persist(FileOps& ops, int idx_fd) {
  std::vector<uint8_t> buf;
  size_t count;
  {
    std::lock_guard lock(mu_);
    count = entries_.size();
    if (persisted_ == count) return 0;
    buf.resize((count - persisted_) * kIndexEntrySize);
    for (size_t i = persisted_; i < count; ++i) {
      encodeIndexEntry(buf.data() + (i - persisted_) * kIndexEntrySize, entries_[i]);
    }
  }
  uint64_t pos = kFileHeaderSize + persisted_ * kIndexEntrySize;
  int rc = writeAll(ops, idx_fd, buf.data(), buf.size(), pos);
  if (rc == 0) persisted_ = count;
  return rc;
}

int SegmentIndex::rewrite(FileOps& ops, int idx_fd) {
  std::vector<uint8_t> buf;
  {
    std::lock_guard lock(mu_);
    buf.resize(kFileHeaderSize + entries_.size() * kIndexEntrySize);
    encodeFileHeader(buf.data(), kIndexMagic, base_offset_);
    for (size_t i = 0; i < entries_.size(); ++i) {
      encodeIndexEntry(buf.data() + kFileHeaderSize + i * kIndexEntrySize, entries_[i]);
    }
  }
  persisted_ = 0;
  int rc = ops.truncate(idx_fd, 0);
  if (rc == 0) rc = writeAll(ops, idx_fd, buf.data(), buf.size(), 0);
  if (rc == 0) persisted_ = (buf.size() - kFileHeaderSize) / kIndexEntrySize;
  return rc;
}

int loadIndexFile(FileOps& ops, int idx_fd, uint64_t base_offset, uint64_t data_size,
                  LoadedIndex* out) {
  out->entries.clear();
  out->clean = false;
  int64_t size = ops.fileSize(idx_fd);
  if (size < 0) return static_cast<int>(size);
  std::vector<uint8_t> buf(static_cast<size_t>(size));
  ssize_t n = readUpTo(ops, idx_fd, buf.data(), buf.size(), 0);
  if (n < 0) return static_cast<int>(n);
  buf.resize(static_cast<size_t>(n));
  if (buf.size() < kFileHeaderSize || !validFileHeader(buf.data(), kIndexMagic, base_offset)) {
    return 0;
  }
  size_t whole = (buf.size() - kFileHeaderSize) / kIndexEntrySize;
  bool all_good = (buf.size() - kFileHeaderSize) % kIndexEntrySize == 0;
  for (size_t i = 0; i < whole; ++i) {
    IndexEntry e;
    const uint8_t* p = buf.data() + kFileHeaderSize + i * kIndexEntrySize;
    bool ok = decodeIndexEntry(p, &e) && e.offset >= base_offset &&
              e.position >= kFileHeaderSize && e.position < data_size;
    if (ok && !out->entries.empty()) {
      ok = e.offset > out->entries.back().offset && e.position > out->entries.back().position;
    }
    if (!ok) {
      all_good = false;
      break;
    }
    out->entries.push_back(e);
  }
  out->clean = all_good;
  return 0;
}

}  // namespace mqgw::nlog
