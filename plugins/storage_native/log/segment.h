#pragma once
// One segment: a .log data file plus its sparse index. The writer thread appends; any thread
// reads the published prefix. Opening existing segments (with recovery) lives in recovery.cc.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "log/log_options.h"
#include "log/record_reader.h"
#include "log/segment_index.h"

namespace mqgw::nlog {

// Shared by all segments of one log.
struct SegmentEnv {
  FileOps* ops;
  std::string dir;
  uint32_t index_interval;
  uint32_t max_record_bytes;
  LogMessageFn on_message;

  void message(LogSeverity s, const std::string& text) const {
    if (on_message) on_message(s, text);
  }
};
using SegmentEnvPtr = std::shared_ptr<const SegmentEnv>;

class Segment;
using SegmentPtr = std::shared_ptr<Segment>;

// Progress of one read across segments.
struct ReadState {
  uint64_t next_offset;  // first offset not yet delivered
  size_t max_bytes;      // body bytes budget; the first record is delivered regardless
  size_t bytes = 0;
  size_t records = 0;
  bool stopped = false;  // budget reached or the visitor returned false
};

class Segment {
 public:
  Segment(SegmentEnvPtr env, uint64_t base_offset);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  static std::string fileName(uint64_t base_offset, const char* extension);

  // A new empty segment; replaces stale files of the same name. sync: fsync files and the dir.
  static int create(SegmentEnvPtr env, uint64_t base_offset, bool sync, SegmentPtr* out);
  // The last segment: verifies it from its last trustworthy index entry, cuts a torn tail,
  // repairs the index (recovery.cc).
  static int openLast(SegmentEnvPtr env, uint64_t base_offset, RecoveryReport* report,
                      SegmentPtr* out);
  // A closed segment that ends where next_base starts: checks header and index (rebuilding it
  // when needed); verify scans every record. A bad record is reported and ends the segment.
  static int openClosed(SegmentEnvPtr env, uint64_t base_offset, uint64_t next_base, bool verify,
                        RecoveryReport* report, SegmentPtr* out);

  uint64_t baseOffset() const { return base_offset_; }

  // ---- writer thread ----
  uint64_t endPos() const { return end_pos_; }
  uint64_t nextOffset() const { return next_offset_; }
  bool empty() const { return end_pos_ == kFileHeaderSize; }
  IndexBuilder indexBuilder() const { return index_.builder(); }
  // Appends sealed frames at endPos(). On failure the file is cut back to endPos().
  int writeChunk(const uint8_t* data, size_t len, uint64_t records, uint64_t last_timestamp_ms,
                 const IndexBuilder& index);
  int sync();       // data file
  int syncIndex();  // .idx file (only needed when closing: the index is rebuildable)
  void publish();   // makes everything written visible to readers
  // Forgets what was written after the last publish(): file, offsets and index.
  int rollbackToPublished();
  void closeIndexFile();  // closed segments keep their index in memory only
  int removeFiles();      // unlink both files (open descriptors stay readable)

  // ---- any thread ----
  uint64_t publishedEndPos() const { return pub_end_pos_.load(std::memory_order_acquire); }
  uint64_t publishedNextOffset() const { return pub_next_offset_.load(std::memory_order_acquire); }
  uint64_t lastTimestampMs() const { return last_timestamp_ms_.load(std::memory_order_relaxed); }
  size_t indexEntries() const { return index_.size(); }
  // Delivers records from state->next_offset on. Ok: stopped (budget or visitor); End: no more
  // published records here; anything else: a bad record, state->next_offset points at it.
  RecordStatus read(ReadState* state, const RecordVisitor& visit) const;
  const SegmentEnv& env() const { return *env_; }

 private:
  friend struct SegmentOpener;  // recovery.cc

  std::string path(const char* extension) const;
  void setWritten(uint64_t end_pos, uint64_t next_offset, uint64_t last_timestamp_ms);

  SegmentEnvPtr env_;
  uint64_t base_offset_;
  int log_fd_ = -1;
  int idx_fd_ = -1;
  // Writer-side truth.
  uint64_t end_pos_ = kFileHeaderSize;
  uint64_t next_offset_;
  bool needs_truncate_ = false;  // a failed write could not be cut back yet
  bool warned_index_ = false;
  // Reader-visible: stored end position first, then next offset (see read()).
  std::atomic<uint64_t> pub_end_pos_{kFileHeaderSize};
  std::atomic<uint64_t> pub_next_offset_;
  std::atomic<uint64_t> last_timestamp_ms_{0};
  SegmentIndex index_;
};

}  // namespace mqgw::nlog
