#include "commit_queue.h"

#include <utility>

namespace mqgw::native {

bool CommitQueue::takeBatch(std::chrono::milliseconds gather, PendingBatch* out,
                            uint64_t* seq) {
  std::unique_lock lock(mutex_);
  wakeCommitter_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
  if (stopping_) return false;
  // Gather more writes so one transaction (one fsync in FULL mode) covers many of them.
  wakeCommitter_.wait_for(lock, gather, [&] {
    return stopping_ || flushWaiters_ > 0 || pending_.keyCount() >= eagerKeys_;
  });
  if (stopping_) return false;
  std::swap(pending_, *out);
  *seq = enqueued_;
  return true;
}

bool CommitQueue::takeNow(PendingBatch* out, uint64_t* seq) {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return false;
  std::swap(pending_, *out);
  *seq = enqueued_;
  return true;
}

void CommitQueue::markCommitted(uint64_t seq) {
  {
    std::lock_guard lock(mutex_);
    committed_ = seq;
    failed_.store(false, std::memory_order_release);
  }
  committedChanged_.notify_all();
}

void CommitQueue::markFailed(const std::string& error) {
  {
    std::lock_guard lock(mutex_);
    ++failures_;
    lastError_ = error;
    failed_.store(true, std::memory_order_release);
  }
  committedChanged_.notify_all();
}

bool CommitQueue::sleepUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wakeCommitter_.wait_for(lock, delay, [&] { return stopping_; });
}

uint64_t CommitQueue::enqueuedSeq() const {
  std::lock_guard lock(mutex_);
  return enqueued_;
}

uint64_t CommitQueue::committedSeq() const {
  std::lock_guard lock(mutex_);
  return committed_;
}

bool CommitQueue::waitCommitted(uint64_t target) {
  std::unique_lock lock(mutex_);
  uint64_t failuresAtStart = failures_;
  ++flushWaiters_;
  wakeCommitter_.notify_one();
  committedChanged_.wait(lock, [&] {
    return committed_ >= target || failures_ != failuresAtStart || committerExited_;
  });
  --flushWaiters_;
  return committed_ >= target;
}

void CommitQueue::requestStop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeCommitter_.notify_all();
  committedChanged_.notify_all();
}

void CommitQueue::markCommitterExited() {
  {
    std::lock_guard lock(mutex_);
    committerExited_ = true;
  }
  committedChanged_.notify_all();
}

std::string CommitQueue::lastError() const {
  std::lock_guard lock(mutex_);
  return lastError_;
}

size_t CommitQueue::pendingKeys() const {
  std::lock_guard lock(mutex_);
  return pending_.keyCount();
}

}  // namespace mqgw::native
