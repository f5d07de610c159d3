#pragma once
// Configuration and reporting types shared by Log and LogWriter.
#include <cstdint>
#include <functional>
#include <string>

#include "log/file_ops.h"

namespace mqgw::nlog {

enum class FsyncPolicy {
  Always,    // fsync once per batch, before its completions run (the default)
  Interval,  // fsync at most every interval_ms; completions run after write()
  Never,     // leave flushing to the kernel
};

enum class LogSeverity { Info, Warning, Error };

// Called for recovery actions, corruption and I/O errors. Must be thread-safe: readers report
// corruption from their own thread.
using LogMessageFn = std::function<void(LogSeverity, const std::string&)>;
using ClockFn = std::function<uint64_t()>;  // milliseconds since the Unix epoch

struct LogOptions {
  std::string dir;                          // created if missing (parent must exist)
  uint64_t segment_bytes = 64ull << 20;     // roll when the next record would pass this
  uint32_t index_interval_bytes = 4096;     // one index entry per this many bytes of data
  uint32_t max_record_bytes = 16u << 20;    // larger bodies are refused (and are garbage on disk)
  uint64_t retention_bytes = 0;             // 0: no size limit; counts .log bytes of all segments
  uint64_t retention_ms = 0;                // 0: no age limit; age of a segment's newest record
  // Scan every closed segment at open (CRC of each record). Off: closed segments are checked
  // lazily, when read.
  bool verify_closed_segments = false;
  // fsync a segment before rolling past it, and the directory after creating or deleting files.
  // LogWriter sets it from its policy (false for FsyncPolicy::Never).
  bool sync_on_roll = true;
  FileOps* file_ops = nullptr;  // nullptr: posixFileOps(); must outlive the log
  ClockFn clock_ms;             // empty: system clock
  LogMessageFn on_message;      // empty: silent
};

// What open() found and repaired.
struct RecoveryReport {
  uint64_t segments = 0;
  uint64_t tail_truncations = 0;      // last segments whose torn tail was cut
  uint64_t tail_bytes_truncated = 0;
  uint64_t indexes_rebuilt = 0;       // .idx files that were missing, short, corrupt or stale
  uint64_t corrupt_segments = 0;      // closed segments with a bad record: readable up to it
  uint64_t orphan_files_removed = 0;  // .idx without .log
  uint64_t segments_reinitialized = 0;  // last segment shorter than its header (crash at create)
};

}  // namespace mqgw::nlog
