// The native storage backend's small mutable state — persistent sessions and their cursors,
// the node floors, retained messages and a few counters — in an embedded SQLite database
// (WAL mode). Messages themselves live in the segmented log, not here.
//
// Writes are queued without blocking (any thread), coalesced per key and committed by one
// background thread, one transaction per batch. On a failed commit (disk full, I/O error)
// failed() turns true, the batch is kept and retried with backoff (100 ms doubling to 5 s)
// while new writes keep coalescing behind it; the first successful commit clears failed().
// Writers never block, even while failed: memory stays bounded by the number of distinct
// keys (at most two copies of each: the batch being retried and the one behind it), since a
// newer put of the same key replaces the older one.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "commit_queue.h"
#include "pending_batch.h"
#include "sqlite_handle.h"
#include "state_types.h"
#include "statements.h"

namespace mqgw::native {

struct StateStoreOptions {
  std::string path;               // the SQLite file; created if missing
  bool syncFull = false;          // PRAGMA synchronous=FULL (survives power loss) vs NORMAL
                                  // (survives a process crash; WAL fsyncs at checkpoints)
  uint32_t commitIntervalMs = 5;  // how long a batch gathers writes before it commits
  size_t eagerCommitKeys = 100000;  // a batch this large commits without waiting
};

struct StateStoreStats {
  uint64_t commits = 0;        // successful transactions
  uint64_t rowsWritten = 0;    // coalesced row writes in them
  uint64_t opsCommitted = 0;   // put/delete calls they covered
  uint64_t failedCommits = 0;
};

class StateStore {
 public:
  // Opens or creates the database, switches it to WAL and creates or migrates the schema.
  // Returns nullptr with *error naming the file when it is not a SQLite database, was
  // written by a newer schema version, or cannot be opened.
  static std::unique_ptr<StateStore> open(const StateStoreOptions& options, std::string* error);
  ~StateStore();  // stop()
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Streams everything stored, one row at a time (call before start(), from one thread).
  bool load(StateVisitor& visitor, std::string* error);
  // Starts the commit thread. Once only: after stop() writes are committed by flush() calls.
  void start();

  // Writes: thread-safe and non-blocking; see pending_batch.h for the per-key coalescing.
  void putSession(std::string_view clientId, std::span<const uint8_t> state);
  void deleteSession(std::string_view clientId);  // and its cursor
  // Cursors of existing sessions (a client without a stored session is ignored) and the node
  // floors, in one transaction. An empty CursorRow::next stores NULL: follows the floor.
  void putCursors(std::span<const CursorRow> rows, std::span<const Position> floors);
  void putRetained(std::string_view topic, std::span<const uint8_t> record);  // empty: delete
  // Returns false for the reserved key "schema_version".
  bool putMeta(std::string_view key, uint64_t value);

  // Waits until everything queued before the call is committed (true) or a commit attempt
  // fails (false; the writes stay queued and are retried). Without the thread running it
  // commits on the calling thread.
  bool flush();
  // Commits what is queued (one last attempt), joins the thread. False if writes remain
  // uncommitted (see lastError()); a later flush() can still retry them.
  bool stop();

  bool failed() const { return queue_.failed(); }
  std::string lastError() const { return queue_.lastError(); }
  size_t pendingKeys() const { return queue_.pendingKeys(); }
  StateStoreStats stats() const;
  const std::string& path() const { return db_.path(); }

  // Test hooks: make the next `n` commits fail after writing their rows (then roll back),
  // and run code on the connection between commits (e.g. PRAGMA max_page_count).
  void failNextCommitsForTest(int n) { injectedFailures_.store(n); }
  void withConnectionForTest(const std::function<void(sqlite3*)>& fn);

 private:
  explicit StateStore(const StateStoreOptions& options);
  void commitLoop();
  bool commitHeldLocked();  // commits held_; commitMutex_ held
  bool drainLocked();       // held_, then whatever is pending; commitMutex_ held
  bool takeInjectedFailure();

  const StateStoreOptions options_;
  Database db_;
  Statements statements_;
  CommitQueue queue_;
  std::mutex commitMutex_;  // the connection: commit thread vs load/flush/test hooks
  PendingBatch held_;       // the batch being committed or retried
  uint64_t heldSeq_ = 0;
  bool holding_ = false;
  std::thread committer_;
  std::atomic<bool> running_{false};
  bool started_ = false;
  std::atomic<int> injectedFailures_{0};
  std::atomic<uint64_t> commits_{0}, rowsWritten_{0}, opsCommitted_{0}, failedCommits_{0};
};

}  // namespace mqgw::native
