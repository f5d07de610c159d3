// The claims this node made and waits on: each waits for the previous owner's release until
// its deadline, on a thread of its own (never a gateway loop). Whoever takes a waiter — the
// control consumer with the release, or this thread at the deadline — answers it, once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "mqgw/plugin_abi.h"

namespace mqgw::cluster {

class ClaimWaiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Waiter {
    uint64_t claimId = 0;
    std::string clientId;
    std::string expectedOwner;  // the node asked to release it
    mqgw_claim_cb cb = nullptr;
    void* arg = nullptr;
    Clock::time_point deadline;
  };
  // Called on the waiter's thread for a waiter whose deadline passed.
  using OnExpired = std::function<void(Waiter&)>;

  explicit ClaimWaiter(OnExpired onExpired) : onExpired_(std::move(onExpired)) {}
  ~ClaimWaiter() { stop(); }
  ClaimWaiter(const ClaimWaiter&) = delete;
  ClaimWaiter& operator=(const ClaimWaiter&) = delete;

  void start();
  // Joins the thread; every waiter left is answered MQGW_E_NOT_FOUND (host_api.h allows only
  // OK or NOT_FOUND, and a stopping node has nothing to hand over).
  void stop();

  // False after stop (nothing will answer it).
  bool add(Waiter w);
  // The waiter of a claim, removed; nullopt when it was answered already (or never existed).
  std::optional<Waiter> take(uint64_t claimId);

 private:
  void run();

  OnExpired onExpired_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::unordered_map<uint64_t, Waiter> waiting_;
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mqgw::cluster
