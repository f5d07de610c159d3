#include "state_store.h"

#include <algorithm>
#include <chrono>

#include "schema.h"
#include "state_loader.h"

namespace mqgw::native {
namespace {

constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};

}  // namespace

StateStore::StateStore(const StateStoreOptions& options)
    : options_(options), queue_(std::max<size_t>(options.eagerCommitKeys, 1)) {}

StateStore::~StateStore() { stop(); }

std::unique_ptr<StateStore> StateStore::open(const StateStoreOptions& options,
                                             std::string* error) {
  if (options.path.empty()) {
    *error = "state store: no path configured";
    return nullptr;
  }
  std::unique_ptr<StateStore> store(new StateStore(options));
  if (!store->db_.open(options.path, error) ||
      !prepareSchema(store->db_, options.syncFull, error) ||
      !store->statements_.prepare(store->db_, error)) {
    return nullptr;
  }
  return store;
}

bool StateStore::load(StateVisitor& visitor, std::string* error) {
  std::lock_guard lock(commitMutex_);
  return loadState(db_, visitor, error);
}

void StateStore::start() {
  if (started_) return;
  started_ = true;
  running_ = true;
  committer_ = std::thread([this] { commitLoop(); });
}

void StateStore::putSession(std::string_view clientId, std::span<const uint8_t> state) {
  queue_.enqueue([&](PendingBatch& b) { b.putSession(clientId, state); });
}

void StateStore::deleteSession(std::string_view clientId) {
  queue_.enqueue([&](PendingBatch& b) { b.deleteSession(clientId); });
}

void StateStore::putCursors(std::span<const CursorRow> rows, std::span<const Position> floors) {
  queue_.enqueue([&](PendingBatch& b) {
    for (const CursorRow& row : rows) b.putCursor(row.clientId, row.next);
    for (const Position& floor : floors) b.putFloor(floor);
  });
}

void StateStore::putRetained(std::string_view topic, std::span<const uint8_t> record) {
  queue_.enqueue([&](PendingBatch& b) { b.putRetained(topic, record); });
}

bool StateStore::putMeta(std::string_view key, uint64_t value) {
  if (key == kSchemaVersionKey) return false;
  queue_.enqueue([&](PendingBatch& b) { b.putMeta(key, value); });
  return true;
}

bool StateStore::flush() {
  uint64_t target = queue_.enqueuedSeq();
  if (running_) return queue_.waitCommitted(target);
  std::lock_guard lock(commitMutex_);
  drainLocked();
  return queue_.committedSeq() >= target;
}

bool StateStore::stop() {
  if (running_) {
    queue_.requestStop();
    committer_.join();
    running_ = false;
  } else {
    std::lock_guard lock(commitMutex_);
    drainLocked();
  }
  std::lock_guard lock(commitMutex_);
  return !holding_ && queue_.pendingKeys() == 0;
}

StateStoreStats StateStore::stats() const {
  return StateStoreStats{commits_.load(), rowsWritten_.load(), opsCommitted_.load(),
                         failedCommits_.load()};
}

void StateStore::withConnectionForTest(const std::function<void(sqlite3*)>& fn) {
  std::lock_guard lock(commitMutex_);
  fn(db_.handle());
}

void StateStore::commitLoop() {
  const std::chrono::milliseconds gather{options_.commitIntervalMs};
  auto backoff = kMinBackoff;
  while (true) {
    if (!holding_) {
      if (!queue_.takeBatch(gather, &held_, &heldSeq_)) break;
      holding_ = true;
    }
    bool ok = false;
    {
      std::lock_guard lock(commitMutex_);
      ok = commitHeldLocked();
    }
    if (ok) {
      backoff = kMinBackoff;
      continue;
    }
    if (!queue_.sleepUnlessStopping(backoff)) break;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  {
    std::lock_guard lock(commitMutex_);
    drainLocked();  // stopping: one last attempt, no backoff
  }
  queue_.markCommitterExited();
}

bool StateStore::takeInjectedFailure() {
  int n = injectedFailures_.load();
  while (n > 0 && !injectedFailures_.compare_exchange_weak(n, n - 1)) {
  }
  return n > 0;
}

bool StateStore::commitHeldLocked() {
  std::string error;
  bool ok = statements_.begin(&error) && statements_.apply(held_, &error);
  if (ok && takeInjectedFailure()) {
    error = "state store " + db_.path() + ": injected commit failure (test hook)";
    ok = false;
  }
  ok = ok && statements_.commit(&error);
  if (!ok) {
    statements_.rollback();
    ++failedCommits_;
    queue_.markFailed(error);
    return false;
  }
  ++commits_;
  rowsWritten_ += held_.keyCount();
  opsCommitted_ += held_.opCount();
  held_.clear();
  holding_ = false;
  queue_.markCommitted(heldSeq_);
  return true;
}

bool StateStore::drainLocked() {
  if (holding_ && !commitHeldLocked()) return false;
  if (!queue_.takeNow(&held_, &heldSeq_)) return true;
  holding_ = true;
  return commitHeldLocked();
}

}  // namespace mqgw::native
