#include "claim_waiter.h"

#include <algorithm>
#include <vector>

namespace mqgw::cluster {

void ClaimWaiter::start() {
  std::lock_guard lock(mu_);
  if (running_ || stopping_) return;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void ClaimWaiter::stop() {
  std::unordered_map<uint64_t, Waiter> left;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    left.swap(waiting_);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [id, w] : left) w.cb(w.arg, MQGW_E_NOT_FOUND, nullptr, 0, nullptr, 0);
}

bool ClaimWaiter::add(Waiter w) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !running_) return false;
    waiting_[w.claimId] = std::move(w);
  }
  wake_.notify_all();
  return true;
}

std::optional<ClaimWaiter::Waiter> ClaimWaiter::take(uint64_t claimId) {
  std::lock_guard lock(mu_);
  auto it = waiting_.find(claimId);
  if (it == waiting_.end()) return std::nullopt;
  Waiter w = std::move(it->second);
  waiting_.erase(it);
  return w;
}

void ClaimWaiter::run() {
  std::unique_lock lock(mu_);
  std::vector<Waiter> expired;
  while (!stopping_) {
    auto next = Clock::time_point::max();
    auto now = Clock::now();
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second));
        it = waiting_.erase(it);
        continue;
      }
      next = std::min(next, it->second.deadline);
      ++it;
    }
    if (!expired.empty()) {
      lock.unlock();  // answering writes records and calls into the core
      for (Waiter& w : expired) onExpired_(w);
      expired.clear();
      lock.lock();
      continue;
    }
    if (next == Clock::time_point::max())
      wake_.wait(lock);
    else
      wake_.wait_until(lock, next);
  }
}

}  // namespace mqgw::cluster
