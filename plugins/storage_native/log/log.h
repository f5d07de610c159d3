#pragma once
// mqgw native log: an append-only, segmented log of opaque records in one directory.
//
//   std::unique_ptr<Log> log;
//   if (int rc = Log::open(options, &log); rc < 0) ...;       // recovers a crashed log
//   LogWriter writer(*log, writer_options);                   // the only appender from now on
//   writer.append(body, [](int status, uint64_t offset) {...});
//   log->read(offset, 64 * 1024, [](const RecordView& r) { ...; return true; });
//
// Threads: one writer (LogWriter's thread, or the caller when using append() directly) and any
// number of concurrent readers. Readers see records once they are published: after write() for
// FsyncPolicy::Interval/Never, after the fsync for FsyncPolicy::Always - in every case before
// the record's completion runs, and never a partially written record.
//
// Offsets are dense u64 starting at 0 and never reused: retention deletes whole closed segments
// from the front, so startOffset() only grows. Format: see record_format.h.
//
// Damage. open() cuts a torn tail of the last segment (partial record, bad CRC, length past the
// end, zero fill) back to its last good record, rebuilds any .idx that is missing, short,
// corrupt or points past the data, and reports both (recoveryReport(), on_message). A bad
// record inside a closed segment (bit rot) never fails open(): it is found by read() (or at
// open with verify_closed_segments), reported, and ends that segment - read() returns -EBADMSG
// with next_offset at the next segment, so a consumer can skip the loss knowingly. Closed
// segments are never truncated. An unreadable segment *header* does fail open (-EBADMSG).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "log/log_options.h"
#include "log/record_reader.h"

namespace mqgw::nlog {

class Segment;
struct SegmentEnv;

struct ReadResult {
  int status = 0;            // 0, -ERANGE (offset before startOffset()), -EBADMSG, -errno
  uint64_t next_offset = 0;  // where the next read should start
  size_t records = 0;        // records delivered to the visitor
};

struct LogStats {
  uint64_t segments = 0;
  uint64_t bytes = 0;  // .log bytes of all segments (what retention_bytes limits)
  uint64_t rolls = 0;
  uint64_t segments_deleted = 0;
  uint64_t corrupt_reads = 0;  // reads that hit a bad record
};

class Log {
 public:
  // Opens (or creates) the log in options.dir and recovers it; 0 or -errno (-EBUSY: another
  // Log holds the directory; -EBADMSG: a segment header is unreadable; -EINVAL: bad options).
  static int open(LogOptions options, std::unique_ptr<Log>* out);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // ---- writer side: one thread at a time ----

  struct AppendResult {
    uint64_t first_offset = 0;  // offset given to the first frame
    uint64_t rolls = 0;         // segments rolled while appending
  };
  // Appends a buffer of staged frames (stageFrame() in record_format.h): stamps offsets and
  // timestamp, seals checksums, rolls segments and writes each segment's part with one pwrite.
  // Nothing is published. On error the caller must rollbackUnpublished().
  int appendFrames(std::span<uint8_t> frames, uint64_t timestamp_ms, AppendResult* result);
  int sync();                 // fdatasync of the active segment
  void publish();             // makes everything appended visible to readers
  int rollbackUnpublished();  // forgets everything appended since the last publish()
  // Convenience for single-threaded use: append one record and publish it (no fsync).
  int append(std::span<const uint8_t> body, uint64_t* offset);
  // Deletes closed segments, oldest first, while over retention_bytes or older than
  // retention_ms (by their newest record). Returns how many were deleted.
  size_t applyRetention(uint64_t now_ms);
  uint64_t nowMs() const;
  void setSyncOnRoll(bool on) { options_.sync_on_roll = on; }
  uint64_t writtenEndOffset() const;  // next offset to assign, published or not

  // ---- any thread ----

  // Calls visit for records from `offset` on, in order, until about max_bytes of bodies were
  // delivered (at least one record), the visitor returns false, or the published end. A bad
  // record is reported through on_message and returned as -EBADMSG (records before it are
  // delivered first, with status 0); next_offset then skips to the end of that segment.
  ReadResult read(uint64_t offset, size_t max_bytes, const RecordVisitor& visit) const;
  uint64_t startOffset() const;  // oldest offset still stored
  uint64_t endOffset() const;    // one past the last published record
  LogStats stats() const;
  const RecoveryReport& recoveryReport() const { return recovery_; }
  const LogOptions& options() const { return options_; }

 private:
  Log(LogOptions options, int lock_fd);
  int load();
  int roll();
  struct Located {
    std::shared_ptr<Segment> segment;
    uint64_t end_offset;  // next segment's base, or the published end for the active one
    bool active;
  };
  bool locate(uint64_t offset, Located* out) const;

  LogOptions options_;
  FileOps* ops_;
  int lock_fd_;
  std::shared_ptr<const SegmentEnv> env_;
  RecoveryReport recovery_;
  std::shared_ptr<Segment> active_;  // writer side
  mutable std::mutex mu_;            // guards segments_ and the counters below
  std::vector<std::shared_ptr<Segment>> segments_;  // by base offset; back() is active_
  uint64_t rolls_ = 0;
  uint64_t segments_deleted_ = 0;
  mutable std::atomic<uint64_t> corrupt_reads_{0};
};

}  // namespace mqgw::nlog
