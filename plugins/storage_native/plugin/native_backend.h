// The `native` storage backend: messages in the segmented log (../log), sessions, cursors,
// floors and retained messages in the SQLite state store (../state). One partition (0); a
// message's position is its log offset. Appends complete on the log writer's thread once the
// batch is durable per the fsync policy; the same thread then feeds the message to the core,
// so fed messages arrive in offset order. See docs/plugins/storage.md.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "log/log.h"
#include "log/log_writer.h"
#include "mqgw/plugin_abi.h"
#include "state_store.h"

namespace mqgw::native {

struct NativeOptions {
  std::string dataDir;
  nlog::FsyncPolicy fsync = nlog::FsyncPolicy::Always;
  uint32_t fsyncIntervalMs = 100;
  uint64_t segmentBytes = 64ull << 20;
  uint64_t retentionBytes = 0;
  uint64_t retentionMs = 7ull * 24 * 3600 * 1000;
  uint64_t maxQueuedBytes = 64ull << 20;
};

// Parses the normalized settings the core hands over; false with *error on a bad one.
bool parseOptions(const mqgw_kv* kv, size_t n, NativeOptions* out, std::string* error);

class NativeBackend {
 public:
  explicit NativeBackend(NativeOptions o);
  ~NativeBackend();

  int start();  // opens (and recovers) the log and the state store
  void stop();  // drains the writer, commits the state
  int append(mqgw_message* msg, mqgw_append_cb cb, void* arg);
  int health() const;

  // Durable state (native_load.cc).
  int load(const mqgw_load_visitor* v);
  int replay(const mqgw_position* from, uint32_t n);
  int sessionPut(mqgw_str clientId, const uint8_t* state, size_t len);
  int sessionDelete(mqgw_str clientId);
  int cursorsPut(const mqgw_cursor* c, uint32_t n, const mqgw_position* floors, uint32_t nf);

  // The log writer's completion for one append (writer thread).
  void appended(mqgw_message* msg, int status, uint64_t offset);
  void reportHealth();

 private:
  void applyRetained(const mqgw_message* msg, uint64_t offset);
  void scanRetainedTail(const mqgw_load_visitor* v, uint64_t from);

  NativeOptions options_;
  std::unique_ptr<nlog::Log> log_;
  std::unique_ptr<nlog::LogWriter> writer_;
  std::unique_ptr<StateStore> state_;
  bool stateStarted_ = false;
  std::atomic<bool> writerHealthy_{true};
  std::atomic<int> reported_{-1};
  uint32_t appendsMetric_ = 0, failedMetric_ = 0, replayedMetric_ = 0;
};

}  // namespace mqgw::native
