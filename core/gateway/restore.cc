#include "gateway/restore.h"

#include <chrono>
#include <functional>
#include <latch>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "gateway/gateway.h"
#include "gateway/startup.h"
#include "message/message.h"
#include "router/router.h"

namespace mqgw {
namespace {

struct StoredSession {
  std::string clientId;
  std::vector<uint8_t> state;
  std::vector<mqgw_position> next;  // empty: follows the floor
};

struct Loaded {
  std::vector<StoredSession> sessions;
  std::vector<mqgw_position> floors;
  std::vector<mqgw_message*> retained;  // one ref each
  ~Loaded() {
    for (auto* m : retained) message::unref(m);
  }
};

const mqgw_load_visitor kVisitor = {
    sizeof(mqgw_load_visitor), nullptr,
    [](void* arg, mqgw_str id, const uint8_t* state, size_t len, const mqgw_position* next,
       uint32_t n) {
      static_cast<Loaded*>(arg)->sessions.push_back(
          {std::string(id.ptr, id.len), std::vector<uint8_t>(state, state + len),
           std::vector<mqgw_position>(next, next + n)});
    },
    [](void* arg, mqgw_position floor) { static_cast<Loaded*>(arg)->floors.push_back(floor); },
    [](void* arg, mqgw_message* msg) {
      message::ref(msg);
      static_cast<Loaded*>(arg)->retained.push_back(msg);
    },
};

// Runs fn(worker) on every worker's thread and waits for all of them.
void onEveryWorker(const std::function<void(Worker&)>& fn) {
  Gateway& gw = Gateway::get();
  struct Job {
    const std::function<void(Worker&)>* fn;
    Worker* w;
    std::latch* done;
  };
  std::latch done(gw.workerCount());
  std::vector<Job> jobs(gw.workerCount());
  for (uint32_t i = 0; i < gw.workerCount(); ++i) {
    jobs[i] = {&fn, &gw.worker(i), &done};
    bool posted = gw.worker(i).post(
        [](void* a) {
          auto* j = static_cast<Job*>(a);
          (*j->fn)(*j->w);
          j->done->count_down();
        },
        &jobs[i]);
    if (!posted) done.count_down();
  }
  done.wait();
}

std::vector<mqgw_position> replayStart(const Loaded& l) {
  std::vector<mqgw_position> from = l.floors;
  auto lower = [&](const mqgw_position& p) {
    for (auto& f : from)
      if (f.partition == p.partition) return void(f.offset = std::min(f.offset, p.offset));
    from.push_back(p);
  };
  for (const auto& s : l.sessions)
    for (const auto& p : s.next) lower(p);
  return from;
}

}  // namespace

int restoreDurableState() {
  Gateway& gw = Gateway::get();
  StorageBinding& storage = gw.storage();
  if (!storage.durable()) return kExitOk;
  auto started = std::chrono::steady_clock::now();
  Loaded loaded;
  mqgw_load_visitor v = kVisitor;
  v.arg = &loaded;
  if (int rc = storage.ops()->load(storage.backend(), &v); rc != MQGW_OK) {
    spdlog::error("storage '{}': loading stored state failed ({})", storage.name(), rc);
    return kExitRuntime;
  }
  const uint32_t n = gw.workerCount();
  storage.initFloors(n, loaded.floors);
  onEveryWorker([&](Worker& w) {
    Router& r = w.router();
    r.setFloors(loaded.floors);
    for (auto* m : loaded.retained) r.restoreRetained(m);
    for (auto& s : loaded.sessions)
      if (std::hash<std::string>{}(s.clientId) % n == w.index())
        r.restoreSession(s.clientId, s.state.data(), s.state.size(),
                         s.next.empty() ? loaded.floors : s.next);
  });
  // Always, even without sessions: a backend whose feed starts here (Kafka) learns where.
  std::vector<mqgw_position> from = replayStart(loaded);
  if (int rc = storage.ops()->replay(storage.backend(), from.data(),
                                     static_cast<uint32_t>(from.size()));
      rc != MQGW_OK) {
    spdlog::error("storage '{}': replay failed ({})", storage.name(), rc);
    return kExitRuntime;
  }
  // Worker 0 fans fed messages out; once it has forwarded everything the replay fed, every
  // worker has routed it by the time it runs the next task.
  onEveryWorker([](Worker& w) {
    if (w.index() == 0) w.flushForwardsNow();
  });
  onEveryWorker([](Worker& w) { w.router().endReplay(); });
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started).count();
  spdlog::info("storage '{}': restored {} sessions and {} retained messages in {} ms",
               storage.name(), loaded.sessions.size(), loaded.retained.size(), ms);
  return kExitOk;
}

}  // namespace mqgw
