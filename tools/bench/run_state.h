// What the controller thread and the worker loops share: the phase of the run, the measurement
// window, and progress counters. Everything else stays inside one worker until the threads join.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "options.h"

namespace mqgw::bench {

enum class Phase : int {
  ConnectSubscribers,  // subscribers (or storm's idle connections) connect and subscribe
  ConnectPublishers,
  Publishing,
  Draining,  // publishers stopped; subscribers keep counting what is still in flight
  Closing,   // send DISCONNECT, close everything, leave the loop
};

enum class Role : uint8_t { Publisher, Subscriber, Idle };

struct ConnectionSpec {
  Role role = Role::Idle;
  uint32_t index = 0;      // publisher index (payload header) or subscriber/idle index
  std::string topic;       // publish topic or subscription filter
  std::string sourceIp;    // local address to bind; empty = let the kernel choose
};

struct RunState {
  explicit RunState(const Options& o) : options(o) {}
  const Options& options;
  std::atomic<Phase> phase{Phase::ConnectSubscribers};
  std::atomic<uint64_t> publishStartNs{0};  // pacing origin for --rate
  std::atomic<uint64_t> measureFromNs{UINT64_MAX};  // messages stamped before this are warm-up
  // Progress, for the controller to wait on (relaxed: only counts).
  std::atomic<uint32_t> ready{0};     // connections that finished CONNECT (+ SUBSCRIBE)
  std::atomic<uint32_t> failed{0};    // connections that failed before getting ready
  std::atomic<uint64_t> sentMeasured{0};    // published within the window (updated per tick)
  std::atomic<uint64_t> uniqueMeasured{0};  // received unique within the window (per tick)
  std::atomic<uint32_t> workersDraining{0};  // workers whose publishers stopped, counts final
  // End-to-end flow control for --rate 0: deliveries seen by subscribers, per publisher index.
  // Publisher and subscribers share this process, so the window closes the loop without any
  // help from the broker and its queues stay short: throughput is what it can sustain.
  std::unique_ptr<std::atomic<uint64_t>[]> delivered;
  uint32_t publisherCount = 0;
  uint64_t subscribersPerPublisher = 1;
};

}  // namespace mqgw::bench
