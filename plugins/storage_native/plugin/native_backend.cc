#include "native_backend.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

#include "host.h"

namespace mqgw::native {
namespace {

struct AppendCtx {
  NativeBackend* backend;
  mqgw_message* msg;  // a ref, until fed and acknowledged
  mqgw_append_cb cb;
  void* arg;
};

void onWritten(void* p, int status, uint64_t offset) {
  auto* ctx = static_cast<AppendCtx*>(p);
  ctx->backend->appended(ctx->msg, status, offset);
  ctx->cb(ctx->arg, status == 0 ? MQGW_OK : MQGW_E_UNAVAILABLE);
  host().message_unref(ctx->msg);
  delete ctx;
}

bool parseU64(const char* text, uint64_t* out) {
  std::string_view s(text ? text : "");
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

void logLine(nlog::LogSeverity sev, const std::string& line) {
  int level = sev == nlog::LogSeverity::Error     ? MQGW_LOG_ERROR
              : sev == nlog::LogSeverity::Warning ? MQGW_LOG_WARN
                                                  : MQGW_LOG_INFO;
  host().log(level, "native", "%s", line.c_str());
}

// mkdir -p: the data directory and its parents.
int makeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string part = path.substr(0, i);
    if (::mkdir(part.c_str(), 0750) != 0 && errno != EEXIST) return -errno;
  }
  return 0;
}

}  // namespace

bool parseOptions(const mqgw_kv* kv, size_t n, NativeOptions* o, std::string* error) {
  for (size_t i = 0; i < n; ++i) {
    std::string_view k(kv[i].key);
    const char* v = kv[i].value;
    uint64_t num = 0;
    bool ok = true;
    if (k == "data_dir") {
      o->dataDir = v;
    } else if (k == "fsync") {
      std::string_view p(v);
      o->fsync = p == "always"     ? nlog::FsyncPolicy::Always
                 : p == "interval" ? nlog::FsyncPolicy::Interval
                                   : nlog::FsyncPolicy::Never;
    } else if (k == "fsync_interval") {
      ok = parseU64(v, &num);
      o->fsyncIntervalMs = static_cast<uint32_t>(num);
    } else if (k == "segment_size") {
      ok = parseU64(v, &o->segmentBytes);
    } else if (k == "retention_size") {
      ok = parseU64(v, &o->retentionBytes);
    } else if (k == "retention_time") {
      ok = parseU64(v, &o->retentionMs);
    } else if (k == "max_queued_bytes") {
      ok = parseU64(v, &o->maxQueuedBytes);
    }
    if (!ok) {
      *error = std::string("bad value for ") + kv[i].key + ": '" + (v ? v : "") + "'";
      return false;
    }
  }
  if (o->dataDir.empty()) return *error = "data_dir is required", false;
  return true;
}

NativeBackend::NativeBackend(NativeOptions o) : options_(std::move(o)) {
  appendsMetric_ = host().metric_register("mqgw_storage_native_appends_total",
                                          "Messages stored in the native log", 0);
  failedMetric_ = host().metric_register("mqgw_storage_native_append_errors_total",
                                         "Appends the native log failed (I/O error, disk full)", 0);
  replayedMetric_ = host().metric_register("mqgw_storage_native_replayed_total",
                                           "Messages replayed from the native log at start", 0);
}

NativeBackend::~NativeBackend() { stop(); }

int NativeBackend::start() {
  if (int rc = makeDirs(options_.dataDir); rc != 0) {
    host().log(MQGW_LOG_ERROR, "native", "data_dir %s: %s", options_.dataDir.c_str(),
               std::strerror(-rc));
    return MQGW_E_IO;
  }
  nlog::LogOptions lo;
  lo.dir = options_.dataDir + "/log";
  lo.segment_bytes = options_.segmentBytes;
  lo.retention_bytes = options_.retentionBytes;
  lo.retention_ms = options_.retentionMs;
  lo.on_message = logLine;
  if (int rc = nlog::Log::open(lo, &log_); rc < 0) {
    host().log(MQGW_LOG_ERROR, "native", "cannot open the log in %s: %s", lo.dir.c_str(),
               rc == -EBUSY ? "another gateway uses this data_dir" : std::strerror(-rc));
    return MQGW_E_IO;
  }
  std::string error;
  StateStoreOptions so;
  so.path = options_.dataDir + "/state.db";
  so.syncFull = options_.fsync == nlog::FsyncPolicy::Always;  // as durable as the log
  state_ = StateStore::open(so, &error);
  if (!state_) {
    host().log(MQGW_LOG_ERROR, "native", "%s", error.c_str());
    return MQGW_E_IO;
  }
  nlog::WriterOptions wo;
  wo.fsync = options_.fsync;
  wo.fsync_interval_ms = options_.fsyncIntervalMs;
  wo.max_queued_bytes = options_.maxQueuedBytes;
  wo.on_health = [this](bool healthy, int error) {
    writerHealthy_.store(healthy);
    if (!healthy)
      host().log(MQGW_LOG_ERROR, "native", "log write failed: %s", std::strerror(-error));
    reportHealth();
  };
  writer_ = std::make_unique<nlog::LogWriter>(*log_, wo);
  host().log(MQGW_LOG_INFO, "native", "log %s: offsets %llu..%llu",
             lo.dir.c_str(), static_cast<unsigned long long>(log_->startOffset()),
             static_cast<unsigned long long>(log_->endOffset()));
  reportHealth();
  return MQGW_OK;
}

void NativeBackend::stop() {
  if (writer_) writer_->stop();
  if (state_ && !state_->stop())
    host().log(MQGW_LOG_ERROR, "native", "state not committed at stop: %s",
               state_->lastError().c_str());
  writer_.reset();
  state_.reset();
  log_.reset();
}

int NativeBackend::append(mqgw_message* msg, mqgw_append_cb cb, void* arg) {
  if (!writer_) return MQGW_E_UNAVAILABLE;
  thread_local std::vector<uint8_t> record;
  record.resize(host().message_encode(msg, nullptr, 0));
  host().message_encode(msg, record.data(), record.size());
  host().message_ref(msg);
  auto* ctx = new AppendCtx{this, msg, cb, arg};
  int rc = writer_->append(record, onWritten, ctx);
  if (rc == 0) return MQGW_OK;
  host().message_unref(msg);
  delete ctx;
  host().metric_add(failedMetric_, 1);
  if (rc == -EAGAIN) return MQGW_E_AGAIN;  // the queue is full: the core retries later
  return rc == -EMSGSIZE ? MQGW_E_TOO_LARGE : MQGW_E_UNAVAILABLE;
}

void NativeBackend::appended(mqgw_message* msg, int status, uint64_t offset) {
  if (status != 0) {
    host().metric_add(failedMetric_, 1);
    return;
  }
  host().metric_add(appendsMetric_, 1);
  host().message_set_position(msg, {0, offset});
  if (host().message_view(msg)->retain) applyRetained(msg, offset);
  host().storage_feed(msg);
}

void NativeBackend::applyRetained(const mqgw_message* msg, uint64_t offset) {
  if (!state_) return;
  const mqgw_message_view* v = host().message_view(msg);
  std::vector<uint8_t> record;
  if (v->payload.len) {  // an empty payload clears the topic's retained message
    record.resize(host().message_encode(msg, nullptr, 0));
    host().message_encode(msg, record.data(), record.size());
  }
  state_->putRetained({v->topic.ptr, v->topic.len}, record);
  // Queued after the row, so the stored mark never runs ahead of it; load() rescans the log
  // past the mark for what a crash cut off.
  state_->putMeta("retained_applied_offset", offset + 1);
}

int NativeBackend::health() const {
  // The log alone decides: publishes wait only for it. The state store retries failed commits
  // on its own and tells nobody when one succeeds again, so counting it here left the health
  // reported unavailable for good when the log recovered first (a full disk does that).
  if (!writer_ || !writerHealthy_.load()) return MQGW_HEALTH_UNAVAILABLE;
  return MQGW_HEALTH_READY;
}

void NativeBackend::reportHealth() {
  int h = health();
  if (reported_.exchange(h) != h) host().storage_health_changed(h);
}

}  // namespace mqgw::native
