// The native backend's durable-state ops: load at start (sessions, floors, retained messages —
// the state store's rows plus a rescan of the log tail the store may have missed), replay of
// the log from the oldest cursor, and the session/cursor writes, which go to the state store's
// queue and are committed in batches.
#include <algorithm>
#include <vector>

#include "host.h"
#include "native_backend.h"

namespace mqgw::native {
namespace {

class LoadAdapter : public StateVisitor {
 public:
  explicit LoadAdapter(const mqgw_load_visitor* v) : v_(v) {}
  void onSession(std::string_view id, std::span<const uint8_t> state,
                 std::span<const Position> cursor) override {
    next_.clear();
    for (const Position& p : cursor) next_.push_back({p.partition, p.offset});
    v_->session(v_->arg, {id.data(), id.size()}, state.data(), state.size(), next_.data(),
                static_cast<uint32_t>(next_.size()));
  }
  void onFloor(Position f) override { v_->floor(v_->arg, {f.partition, f.offset}); }
  void onRetained(std::string_view topic, std::span<const uint8_t> record) override {
    mqgw_message* m = host().message_decode(record.data(), record.size());
    if (!m) {
      host().log(MQGW_LOG_WARN, "native", "retained message of '%.*s' is unreadable; dropped",
                 static_cast<int>(topic.size()), topic.data());
      return;
    }
    v_->retained(v_->arg, m);
    host().message_unref(m);
  }
  void onMeta(std::string_view key, uint64_t value) override {
    if (key == "retained_applied_offset") retainedApplied = value;
  }
  uint64_t retainedApplied = 0;

 private:
  const mqgw_load_visitor* v_;
  std::vector<mqgw_position> next_;
};

// Reads the log from `from` to its end, decoding each record; f(msg, offset) gets a message the
// caller must not keep without a ref. Returns the number of unreadable records skipped.
template <class F>
uint64_t scanLog(const nlog::Log& log, uint64_t from, F&& f) {
  uint64_t bad = 0, at = std::max(from, log.startOffset());
  const uint64_t end = log.endOffset();
  while (at < end) {
    nlog::ReadResult r = log.read(at, 1 << 20, [&](const nlog::RecordView& rec) {
      if (rec.offset >= end) return false;
      mqgw_message* m = host().message_decode(rec.body.data(), rec.body.size());
      if (!m) {
        ++bad;
        return true;
      }
      f(m, rec.offset);
      host().message_unref(m);
      return true;
    });
    if (r.status != 0 && r.status != -EBADMSG) break;
    if (r.next_offset <= at) break;
    at = r.next_offset;
  }
  return bad;
}

}  // namespace

int NativeBackend::load(const mqgw_load_visitor* v) {
  if (!state_ || !v) return MQGW_E_UNAVAILABLE;
  LoadAdapter adapter(v);
  std::string error;
  if (!state_->load(adapter, &error)) {
    host().log(MQGW_LOG_ERROR, "native", "loading state: %s", error.c_str());
    return MQGW_E_IO;
  }
  state_->start();
  stateStarted_ = true;
  scanRetainedTail(v, adapter.retainedApplied);
  return MQGW_OK;
}

void NativeBackend::scanRetainedTail(const mqgw_load_visitor* v, uint64_t from) {
  // Retained rows are committed after their PUBACK; a crash in between leaves them only in
  // the log. Later records win, as they did live.
  uint64_t applied = 0;
  scanLog(*log_, from, [&](mqgw_message* m, uint64_t offset) {
    if (!host().message_view(m)->retain) return;
    v->retained(v->arg, m);
    applyRetained(m, offset);
    ++applied;
  });
  if (applied)
    host().log(MQGW_LOG_INFO, "native", "recovered %llu retained updates from the log tail",
               static_cast<unsigned long long>(applied));
}

int NativeBackend::replay(const mqgw_position* from, uint32_t n) {
  if (!log_) return MQGW_E_UNAVAILABLE;
  uint64_t start = 0;
  for (uint32_t i = 0; i < n; ++i)
    if (from[i].partition == 0) start = from[i].offset;
  if (start < log_->startOffset())
    host().log(MQGW_LOG_WARN, "native",
               "replay wanted offset %llu but retention kept only %llu on: %llu messages that "
               "persistent sessions had not settled are gone",
               static_cast<unsigned long long>(start),
               static_cast<unsigned long long>(log_->startOffset()),
               static_cast<unsigned long long>(log_->startOffset() - start));
  uint64_t fed = 0;
  uint64_t bad = scanLog(*log_, start, [&](mqgw_message* m, uint64_t offset) {
    host().message_set_position(m, {0, offset});
    host().storage_feed(m);
    ++fed;
  });
  host().metric_add(replayedMetric_, static_cast<int64_t>(fed));
  host().log(MQGW_LOG_INFO, "native", "replayed %llu messages from offset %llu%s",
             static_cast<unsigned long long>(fed), static_cast<unsigned long long>(start),
             bad ? " (some records were unreadable and skipped)" : "");
  return MQGW_OK;
}

int NativeBackend::sessionPut(mqgw_str id, const uint8_t* state, size_t len) {
  if (!state_) return MQGW_E_UNAVAILABLE;
  state_->putSession({id.ptr, id.len}, {state, len});
  return MQGW_OK;
}

int NativeBackend::sessionDelete(mqgw_str id) {
  if (!state_) return MQGW_E_UNAVAILABLE;
  state_->deleteSession({id.ptr, id.len});
  return MQGW_OK;
}

int NativeBackend::cursorsPut(const mqgw_cursor* c, uint32_t n, const mqgw_position* floors,
                              uint32_t nf) {
  if (!state_) return MQGW_E_UNAVAILABLE;
  thread_local std::vector<Position> positions;
  thread_local std::vector<CursorRow> rows;
  thread_local std::vector<Position> floorRows;
  positions.clear();
  rows.clear();
  floorRows.clear();
  size_t total = 0;
  for (uint32_t i = 0; i < n; ++i) total += c[i].n;
  positions.reserve(total);  // no reallocation below: rows keep spans into it
  for (uint32_t i = 0; i < n; ++i) {
    size_t first = positions.size();
    for (uint32_t k = 0; k < c[i].n; ++k)
      positions.push_back({c[i].next[k].partition, c[i].next[k].offset});
    rows.push_back({{c[i].client_id.ptr, c[i].client_id.len},
                    std::span<const Position>(positions.data() + first, c[i].n)});
  }
  for (uint32_t i = 0; i < nf; ++i) floorRows.push_back({floors[i].partition, floors[i].offset});
  state_->putCursors(rows, floorRows);
  return MQGW_OK;
}

}  // namespace mqgw::native
