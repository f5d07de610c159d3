// A multi-producer task inbox for one loop: producers append under a short lock, the loop swaps
// the whole batch out and runs it. uv_async_send coalesces wake-ups, so a burst of posts costs
// one eventfd write, not one per task. The lock is never held while a task runs.
#pragma once

#include <uv.h>

#include <mutex>
#include <vector>

namespace mqgw {

struct Task {
  void (*fn)(void*);
  void* arg;
};

class TaskQueue {
 public:
  // Returns false once closed (the loop is gone); the caller still owns arg then.
  bool push(Task t) {
    {
      std::lock_guard lock(mu_);
      if (closed_) return false;
      pending_.push_back(t);
    }
    uv_async_send(async_);
    return true;
  }
  void bind(uv_async_t* async) { async_ = async; }
  // Runs every task posted so far; returns how many ran.
  size_t drain() {
    {
      std::lock_guard lock(mu_);
      running_.swap(pending_);
    }
    for (auto& t : running_) t.fn(t.arg);
    size_t n = running_.size();
    running_.clear();
    return n;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

 private:
  std::mutex mu_;
  bool closed_ = false;
  std::vector<Task> pending_;
  std::vector<Task> running_;  // only touched by the loop thread
  uv_async_t* async_ = nullptr;
};

}  // namespace mqgw
