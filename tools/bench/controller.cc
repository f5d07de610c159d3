#include "controller.h"

#include <sys/resource.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "payload.h"
#include "run_state.h"
#include "worker.h"

namespace mqgw::bench {

namespace {

constexpr uint64_t kSec = 1000000000ULL;

uint64_t secondsToNs(double s) { return static_cast<uint64_t>(s * 1e9); }

struct Plan {
  std::vector<ConnectionSpec> specs;
  uint32_t publishers = 0, subscribers = 0;
  uint64_t subscribersPerPublisher = 1;
};

Plan makePlan(const Options& o) {
  Plan plan;
  const std::string base = "bench/" + o.runId + "/";
  auto add = [&](Role role, uint32_t index, std::string topic) {
    plan.specs.push_back(ConnectionSpec{role, index, std::move(topic), ""});
    (role == Role::Publisher ? plan.publishers : plan.subscribers) += role != Role::Idle;
  };
  const uint32_t n = o.clients;
  switch (o.scenario) {
    case Scenario::Pairs:
      for (uint32_t i = 0; i < n; ++i) add(Role::Subscriber, i, base + std::to_string(i));
      for (uint32_t i = 0; i < n; ++i) add(Role::Publisher, i, base + std::to_string(i));
      break;
    case Scenario::FanIn:
      add(Role::Subscriber, 0, base + "#");
      for (uint32_t i = 0; i < n; ++i) add(Role::Publisher, i, base + std::to_string(i));
      break;
    case Scenario::FanOut:
      for (uint32_t i = 0; i < n; ++i) add(Role::Subscriber, i, base + "0");
      add(Role::Publisher, 0, base + "0");
      plan.subscribersPerPublisher = n;
      break;
    case Scenario::Storm:
      for (uint32_t i = 0; i < n; ++i) add(Role::Idle, i, "");
      break;
  }
  for (size_t i = 0; i < plan.specs.size() && !o.sourceIps.empty(); ++i) {
    plan.specs[i].sourceIp = o.sourceIps[i % o.sourceIps.size()];
  }
  return plan;
}

// Each connection needs one descriptor; ask for the hard limit rather than fail at 1024.
void raiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

class Controller {
 public:
  Controller(const Options& o, RunState& run, uint64_t deadlineNs)
      : o_(o), run_(run), deadlineNs_(deadlineNs) {}

  // Sleeps in small steps until `pred` holds or `untilNs`/the deadline passes; true if pred held.
  template <typename Pred>
  bool waitFor(Pred pred, uint64_t untilNs) {
    while (!pred()) {
      uint64_t now = monoNs();
      if (now >= deadlineNs_) timedOut_ = true;
      if (now >= untilNs || now >= deadlineNs_) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  void sleepUntil(uint64_t ns) {
    waitFor([] { return false; }, ns);
  }
  bool waitReady(uint32_t count) {
    uint64_t until = monoNs() + secondsToNs(o_.connectTimeout);
    bool all = waitFor([&] {
      return run_.ready.load() + run_.failed.load() >= count;
    }, until);
    return all && run_.failed.load() == 0;
  }
  bool timedOut() const { return timedOut_; }

 private:
  const Options& o_;
  RunState& run_;
  uint64_t deadlineNs_;
  bool timedOut_ = false;
};

void merge(const std::vector<std::unique_ptr<Worker>>& workers, RunResult& out) {
  uint64_t firstStart = UINT64_MAX, lastReady = 0;
  for (auto& w : workers) {
    WorkerResult r = w->result();
    out.sent += r.published.sentMeasured;
    out.sentTotal += r.published.sent;
    out.acked += r.published.acked;
    out.windowResets += r.published.windowResets;
    out.received += r.delivered.unique;
    out.receivedTotal += r.delivered.received;
    out.dup += r.delivered.dup;
    out.reorder += r.delivered.reorder;
    out.malformed += r.delivered.malformed;
    out.latency.merge(r.latency);
    out.connectLatency.merge(r.connectLatency);
    out.connectOk += r.ready;
    out.connectFailed += r.failed;
    out.lostDuringRun += r.lost;
    if (r.firstStartNs && r.firstStartNs < firstStart) firstStart = r.firstStartNs;
    if (r.lastReadyNs > lastReady) lastReady = r.lastReadyNs;
    if (out.firstError.empty()) out.firstError = r.firstError;
  }
  if (lastReady > firstStart) out.connectSeconds = static_cast<double>(lastReady - firstStart) / 1e9;
}

}  // namespace

int runBenchmark(const Options& o, RunResult& out) {
  sockaddr_in broker{}, subBroker{};
  if (uv_ip4_addr(o.host.c_str(), o.port, &broker) != 0 ||
      uv_ip4_addr((o.subHost.empty() ? o.host : o.subHost).c_str(),
                  o.subPort ? o.subPort : o.port, &subBroker) != 0) {
    out.firstError = "--host and --sub-host must be IPv4 addresses";
    return 2;
  }
  raiseFileLimit();
  Plan plan = makePlan(o);
  out.publishers = plan.publishers;
  out.subscribers = plan.subscribers;
  out.connections = static_cast<uint32_t>(plan.specs.size());

  RunState run(o);
  run.publisherCount = plan.publishers;
  run.subscribersPerPublisher = plan.subscribersPerPublisher;
  run.delivered = std::make_unique<std::atomic<uint64_t>[]>(plan.publishers + 1);
  uint64_t startNs = monoNs();
  uint64_t deadline = startNs + secondsToNs(o.warmup + o.duration + o.hold) + 30 * kSec;
  Controller ctl(o, run, deadline);

  std::vector<std::vector<ConnectionSpec>> perWorker(o.threads);
  for (size_t i = 0; i < plan.specs.size(); ++i) perWorker[i % o.threads].push_back(plan.specs[i]);
  std::vector<std::unique_ptr<Worker>> workers;
  std::string idPrefix = "mb" + o.runId + "-";
  for (uint32_t t = 0; t < o.threads; ++t) {
    uint32_t maxConnecting = (o.concurrency + o.threads - 1) / o.threads;
    workers.push_back(std::make_unique<Worker>(run, std::move(perWorker[t]), broker, subBroker,
                                               maxConnecting, idPrefix + std::to_string(t) + "-"));
  }
  if (!workers.empty() && !workers.front()->transports().error().empty()) {
    out.firstError = workers.front()->transports().error();
    return 2;
  }
  for (auto& w : workers) w->start();

  int rc = 0;
  uint32_t firstWave = o.scenario == Scenario::Storm ? out.connections : plan.subscribers;
  bool ok = ctl.waitReady(firstWave);
  if (o.scenario == Scenario::Storm) {
    if (run.ready.load() == 0) rc = 2;
    if (rc == 0 && o.hold > 0) {
      // The caller samples the broker's memory while this line is the last one printed.
      std::fprintf(stderr, "mqgw-bench: holding %u connections for %.1f s\n", run.ready.load(), o.hold);
      std::fflush(stderr);
      uint64_t holdFrom = monoNs();
      ctl.sleepUntil(holdFrom + secondsToNs(o.hold));
      out.heldSeconds = static_cast<double>(monoNs() - holdFrom) / 1e9;
    }
  } else if (!ok) {
    rc = 2;
  } else {
    run.phase.store(Phase::ConnectPublishers);
    if (!ctl.waitReady(out.connections)) rc = 2;
  }

  if (rc == 0 && o.scenario != Scenario::Storm) {
    uint64_t t0 = monoNs();
    run.publishStartNs.store(t0);
    run.measureFromNs.store(t0 + secondsToNs(o.warmup));
    run.phase.store(Phase::Publishing);
    uint64_t measureTo = t0 + secondsToNs(o.warmup + o.duration);
    ctl.sleepUntil(measureTo);
    run.phase.store(Phase::Draining);
    out.measuredSeconds = static_cast<double>(monoNs() - run.measureFromNs.load()) / 1e9;
    // Stop early once everything sent has arrived; the workers report every 50 ms.
    uint64_t drainFrom = monoNs();
    ctl.waitFor([&] {
      return run.workersDraining.load() == o.threads &&
             run.uniqueMeasured.load() >= run.sentMeasured.load() * plan.subscribersPerPublisher;
    }, drainFrom + secondsToNs(o.drain));
  }
  run.phase.store(Phase::Closing);
  for (auto& w : workers) w->join();
  merge(workers, out);
  out.expected = out.sent * plan.subscribersPerPublisher;
  out.loss = static_cast<int64_t>(out.expected) - static_cast<int64_t>(out.received);
  out.timedOut = ctl.timedOut();
  if (rc == 0 && out.timedOut) rc = 3;
  return rc;
}

}  // namespace mqgw::bench
