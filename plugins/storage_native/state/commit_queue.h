// The hand-off between writers (any thread, never blocked on I/O) and the commit thread.
//
// Every enqueue bumps a sequence number; the committer takes the whole pending batch with
// the sequence number of its last write, and reports it committed or failed. flush() waits
// for the committed sequence to reach the one it saw, or for a failure after it started.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "pending_batch.h"

namespace mqgw::native {

class CommitQueue {
 public:
  // `eagerKeys`: a pending batch this large is committed without waiting for more writes.
  explicit CommitQueue(size_t eagerKeys) : eagerKeys_(eagerKeys) {}

  // Writer side: fn(PendingBatch&) runs under the lock, so a multi-row call (cursors plus
  // floors) always lands in one batch and one transaction.
  template <typename Fn>
  void enqueue(Fn&& fn) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      size_t keysBefore = pending_.keyCount();
      fn(pending_);
      ++enqueued_;
      size_t keysAfter = pending_.keyCount();
      wake = keysBefore == 0 || (keysBefore < eagerKeys_ && keysAfter >= eagerKeys_);
    }
    if (wake) wakeCommitter_.notify_one();
  }

  // Committer side. Waits for a non-empty batch, then up to `gather` for more writes unless
  // a flush or stop is pending or the batch reached eagerKeys. Swaps the batch into *out
  // (which must be empty) and returns its last sequence number in *seq. Returns false once
  // stop was requested; what is still pending is then left for takeNow().
  bool takeBatch(std::chrono::milliseconds gather, PendingBatch* out, uint64_t* seq);
  // Takes whatever is pending without waiting; false if nothing is.
  bool takeNow(PendingBatch* out, uint64_t* seq);
  void markCommitted(uint64_t seq);
  void markFailed(const std::string& error);
  // Sleeps for `delay` unless stop is requested first; false when stopping.
  bool sleepUnlessStopping(std::chrono::milliseconds delay);

  // Flush side: the sequence number of the last write queued so far.
  uint64_t enqueuedSeq() const;
  uint64_t committedSeq() const;
  // Wakes the committer and waits until `target` is committed (true), or a commit fails
  // after this call started or the commit thread exits without it (false).
  bool waitCommitted(uint64_t target);

  void requestStop();
  // The commit thread has made its last attempt: flush waiters stop waiting for it.
  void markCommitterExited();
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string lastError() const;
  size_t pendingKeys() const;

 private:
  const size_t eagerKeys_;
  mutable std::mutex mutex_;
  std::condition_variable wakeCommitter_;
  std::condition_variable committedChanged_;
  PendingBatch pending_;
  uint64_t enqueued_ = 0;
  uint64_t committed_ = 0;
  uint64_t failures_ = 0;
  uint64_t flushWaiters_ = 0;
  bool stopping_ = false;
  bool committerExited_ = false;
  std::atomic<bool> failed_{false};
  std::string lastError_;
};

}  // namespace mqgw::native
