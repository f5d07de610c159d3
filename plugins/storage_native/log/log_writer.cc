#include "log/log_writer.h"

#include <algorithm>

#include "log/record_format.h"

namespace mqgw::nlog {
namespace {

// Keeps a burst from pinning a huge staging buffer forever.
constexpr size_t kKeepCapacityBytes = 8u << 20;

}  // namespace

LogWriter::LogWriter(Log& log, WriterOptions options)
    : log_(log), options_(std::move(options)), max_record_bytes_(log.options().max_record_bytes) {
  log_.setSyncOnRoll(options_.fsync != FsyncPolicy::Never);
  last_sync_ = Clock::now();
  next_retention_ = last_sync_;
  thread_ = std::thread([this] { run(); });
}

LogWriter::~LogWriter() { stop(); }

int LogWriter::append(std::span<const uint8_t> body, Completion done) {
  if (body.size() > max_record_bytes_) return -EMSGSIZE;
  const size_t size = frameSize(body.size());
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return -ESHUTDOWN;
    const size_t queued = queue_.frames.size();
    if (queued != 0 && queued + size > options_.max_queued_bytes) return -EAGAIN;
    queue_.frames.resize(queued + size);
    stageFrame(queue_.frames.data() + queued, body);
    queue_.completions.push_back(std::move(done));
    was_empty = queue_.completions.size() == 1;
  }
  if (was_empty) wake_cv_.notify_one();  // otherwise the writer is already due to look
  return 0;
}

int LogWriter::append(std::span<const uint8_t> body, CompletionFn fn, void* arg) {
  // Two pointers: fits std::function's inline storage, no allocation.
  return append(body, [fn, arg](int status, uint64_t offset) { fn(arg, status, offset); });
}

int LogWriter::flush() {
  std::unique_lock lock(mu_);
  if (stopping_) return last_error_.load();
  uint64_t target = ++flush_requested_;
  wake_cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return flush_done_ >= target; });
  return flush_status_;
}

void LogWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

WriterStats LogWriter::stats() const {
  return {batches_.load(), records_.load(), failed_records_.load(), fsyncs_.load(),
          failures_.load()};
}

LogWriter::Clock::time_point LogWriter::nextWake() const {
  auto wake = Clock::time_point::max();
  if (options_.fsync == FsyncPolicy::Interval && unsynced_) {
    wake = last_sync_ + std::chrono::milliseconds(options_.fsync_interval_ms);
  }
  const LogOptions& lo = log_.options();
  if (lo.retention_bytes != 0 || lo.retention_ms != 0) wake = std::min(wake, next_retention_);
  return wake;
}

void LogWriter::run() {
  Batch work;
  for (;;) {
    uint64_t flush_target;
    bool stop;
    {
      std::unique_lock lock(mu_);
      auto ready = [&] {
        return !queue_.completions.empty() || stopping_ || flush_requested_ > flush_done_;
      };
      auto wake = nextWake();
      if (wake == Clock::time_point::max()) {
        wake_cv_.wait(lock, ready);
      } else {
        wake_cv_.wait_until(lock, wake, ready);
      }
      std::swap(work, queue_);
      flush_target = flush_requested_;
      stop = stopping_;
    }
    if (!work.completions.empty()) processBatch(work);
    const auto now = Clock::now();
    if (options_.fsync == FsyncPolicy::Interval && unsynced_ &&
        now - last_sync_ >= std::chrono::milliseconds(options_.fsync_interval_ms)) {
      syncNow();
    }
    if (now >= next_retention_) {
      log_.applyRetention(log_.nowMs());
      next_retention_ = now + std::chrono::milliseconds(options_.retention_check_ms);
    }
    if (stop || flush_target > flush_done_) {
      int rc = syncNow();
      std::lock_guard lock(mu_);
      flush_status_ = rc != 0 ? rc : (healthy_.load() ? 0 : last_error_.load());
      flush_done_ = flush_target;
      flushed_cv_.notify_all();
    }
    if (stop) break;  // stopping_ was set before the swap: nothing can be queued after it
  }
}

void LogWriter::processBatch(Batch& batch) {
  batches_.fetch_add(1, std::memory_order_relaxed);
  if (!healthy_.load(std::memory_order_relaxed) && Clock::now() < retry_at_) {
    complete(batch, 0, 0, last_error_.load());  // still backing off: fail fast
    return;
  }
  Log::AppendResult result;
  int rc = log_.appendFrames(batch.frames, log_.nowMs(), &result);
  if (rc == 0 && options_.fsync == FsyncPolicy::Always) {
    rc = log_.sync();
    fsyncs_.fetch_add(1, std::memory_order_relaxed);
  }
  size_t succeeded = batch.completions.size();
  if (rc == 0) {
    log_.publish();
    unsynced_ = unsynced_ || options_.fsync != FsyncPolicy::Always;
    noteSuccess();
  } else {
    // Whatever a roll already published survives; the rest is cut off the file.
    log_.rollbackUnpublished();
    uint64_t published = log_.endOffset();
    succeeded = published > result.first_offset
                    ? std::min<uint64_t>(published - result.first_offset, succeeded)
                    : 0;
    noteFailure(rc);
  }
  if (result.rolls > 0) next_retention_ = Clock::time_point::min();  // check right away
  complete(batch, result.first_offset, succeeded, rc);
}

void LogWriter::complete(Batch& batch, uint64_t first_offset, size_t succeeded, int error) {
  const size_t n = batch.completions.size();
  records_.fetch_add(succeeded, std::memory_order_relaxed);
  failed_records_.fetch_add(n - succeeded, std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    if (i < succeeded) {
      batch.completions[i](0, first_offset + i);
    } else {
      batch.completions[i](error, 0);
    }
  }
  batch.completions.clear();
  batch.frames.clear();
  if (batch.frames.capacity() > kKeepCapacityBytes) batch.frames.shrink_to_fit();
  if (batch.completions.capacity() > kKeepCapacityBytes / 32) batch.completions.shrink_to_fit();
}

int LogWriter::syncNow() {
  if (!unsynced_) return 0;
  int rc = log_.sync();
  fsyncs_.fetch_add(1, std::memory_order_relaxed);
  last_sync_ = Clock::now();
  if (rc < 0) {
    noteFailure(rc);  // completions already ran (Interval/Never): report through health
    return rc;
  }
  unsynced_ = false;
  return 0;
}

void LogWriter::noteFailure(int error) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  last_error_.store(error, std::memory_order_release);
  backoff_ms_ = backoff_ms_ == 0 ? options_.retry_backoff_ms
                                 : std::min(backoff_ms_ * 2, options_.max_retry_backoff_ms);
  retry_at_ = Clock::now() + std::chrono::milliseconds(backoff_ms_);
  if (healthy_.exchange(false, std::memory_order_acq_rel)) {
    if (const auto& fn = log_.options().on_message) {
      fn(LogSeverity::Error,
         "native log: write failed (errno " + std::to_string(-error) + "); retrying later");
    }
    if (options_.on_health) options_.on_health(false, error);
  }
}

void LogWriter::noteSuccess() {
  backoff_ms_ = 0;
  if (!healthy_.exchange(true, std::memory_order_acq_rel)) {
    last_error_.store(0, std::memory_order_release);
    if (const auto& fn = log_.options().on_message) {
      fn(LogSeverity::Info, "native log: writes recovered");
    }
    if (options_.on_health) options_.on_health(true, 0);
  }
}

}  // namespace mqgw::nlog
