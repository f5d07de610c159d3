#pragma once
// Group commit for a Log: callers on any thread queue records; one background thread takes
// everything queued, writes it with one pwrite per segment, fsyncs per policy, publishes it to
// readers and then runs the completions in offset order on that thread.
//
// Failures (ENOSPC, EIO): the unpublished part of the batch is cut off the file, its
// completions get the error, and the writer turns unhealthy. Batches arriving during the
// backoff fail at once without touching the disk; the first batch after it tries again, and
// success makes the writer healthy again. Offsets stay dense: failed records consume none.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "log/log.h"

namespace mqgw::nlog {

// status is 0 or -errno; offset is meaningful only when status is 0.
using Completion = std::function<void(int status, uint64_t offset)>;
using CompletionFn = void (*)(void* arg, int status, uint64_t offset);

struct WriterOptions {
  FsyncPolicy fsync = FsyncPolicy::Always;
  uint32_t fsync_interval_ms = 100;       // FsyncPolicy::Interval
  size_t max_queued_bytes = 64u << 20;    // append() returns -EAGAIN beyond this
  uint32_t retry_backoff_ms = 100;        // after a failure; doubles on each failed retry
  uint32_t max_retry_backoff_ms = 5000;
  uint32_t retention_check_ms = 1000;     // also checked after every roll
  // Runs on the writer thread when health changes: (false, -errno), later (true, 0).
  std::function<void(bool healthy, int error)> on_health;
};

struct WriterStats {
  uint64_t batches = 0;
  uint64_t records = 0;         // completed with status 0
  uint64_t failed_records = 0;  // completed with an error
  uint64_t fsyncs = 0;
  uint64_t failures = 0;        // failed batches or syncs
};

class LogWriter {
 public:
  // The writer becomes the log's only appender; the log must outlive it. Sets the log's
  // sync-on-roll from the policy. Starts the thread.
  LogWriter(Log& log, WriterOptions options);
  ~LogWriter();  // stop()
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Copies body into the queue. 0: `done` will be called exactly once, on the writer thread.
  // Otherwise it is never called: -EMSGSIZE (body too large), -EAGAIN (queue full),
  // -ESHUTDOWN (stopped).
  int append(std::span<const uint8_t> body, Completion done);
  int append(std::span<const uint8_t> body, CompletionFn fn, void* arg);

  // Waits until everything appended before the call is written and fsynced (whatever the
  // policy) and its completions ran. 0, or the error of a failed write/sync.
  int flush();
  // Drains the queue, fsyncs, joins the thread. Idempotent.
  void stop();

  bool healthy() const { return healthy_.load(std::memory_order_acquire); }
  int lastError() const { return last_error_.load(std::memory_order_acquire); }
  WriterStats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Batch {
    std::vector<uint8_t> frames;
    std::vector<Completion> completions;
  };

  void run();
  void processBatch(Batch& batch);
  void complete(Batch& batch, uint64_t first_offset, size_t succeeded, int error);
  int syncNow();
  void noteFailure(int error);
  void noteSuccess();
  Clock::time_point nextWake() const;

  Log& log_;
  const WriterOptions options_;
  const size_t max_record_bytes_;

  std::mutex mu_;
  std::condition_variable wake_cv_;
  std::condition_variable flushed_cv_;
  Batch queue_;  // guarded by mu_
  bool stopping_ = false;
  uint64_t flush_requested_ = 0;
  uint64_t flush_done_ = 0;
  int flush_status_ = 0;

  // Writer thread only.
  bool unsynced_ = false;  // written since the last fsync
  Clock::time_point last_sync_;
  Clock::time_point next_retention_;
  Clock::time_point retry_at_;
  uint32_t backoff_ms_ = 0;

  std::atomic<bool> healthy_{true};
  std::atomic<int> last_error_{0};
  std::atomic<uint64_t> batches_{0}, records_{0}, failed_records_{0}, fsyncs_{0}, failures_{0};
  std::thread thread_;
};

}  // namespace mqgw::nlog
