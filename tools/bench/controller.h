// Runs one benchmark: plans the connections for the scenario, starts the workers, steps them
// through the phases (connect, warm-up, measure, drain, close) and merges their results.
#pragma once

#include <cstdint>
#include <string>

#include "histogram.h"
#include "options.h"

namespace mqgw::bench {

struct RunResult {
  uint32_t publishers = 0, subscribers = 0, connections = 0;
  double measuredSeconds = 0;  // actual measurement window
  uint64_t sent = 0;           // PUBLISH stamped inside the window
  uint64_t sentTotal = 0, acked = 0, windowResets = 0;
  uint64_t expected = 0;       // sent x subscribers per publisher
  uint64_t received = 0;       // unique, inside the window
  uint64_t receivedTotal = 0, dup = 0, reorder = 0, malformed = 0;
  int64_t loss = 0;            // expected - received (negative would mean a counting bug)
  Histogram latency;           // ns
  // Connection set-up (all scenarios; the headline numbers of storm).
  uint32_t connectOk = 0, connectFailed = 0, lostDuringRun = 0;
  double connectSeconds = 0;   // first connect started to last CONNACK / SUBACK
  Histogram connectLatency;    // ns
  double heldSeconds = 0;
  bool timedOut = false;       // the hard deadline cut the run short
  std::string firstError;
};

// Returns the process exit code: 0 ok, 2 could not connect / set up, 3 hard deadline hit.
int runBenchmark(const Options& o, RunResult& out);

}  // namespace mqgw::bench
