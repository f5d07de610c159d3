// The two clocks the core reads, in milliseconds: steady for timeouts and expiry deadlines,
// wall for what outlives the process (message times, a session's departure).
#pragma once

#include <chrono>
#include <cstdint>

namespace mqgw::clock {

inline uint64_t steadyMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

inline uint64_t wallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace mqgw::clock
