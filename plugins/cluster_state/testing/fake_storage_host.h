// A fake core for the storage backends' unit tests and fuzzers (kafka, amqp), header-only: an
// mqgw_host_api whose message functions keep deep copies, and whose storage_feed /
// storage_feed_session / metric / log calls are recorded under a lock (feeds call them from
// their own threads). One global instance, because the host API has no context pointer.
// Engine-specific doubles (an AMQP delivery, Kafka's mock cluster) stay with each plugin.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mqgw/plugin_abi.h"

struct mqgw_message {
  std::atomic<int> refs{1};
  bool restored = false;  // made by message_restore (kept ID and time), not message_create
  bool hasPosition = false;
  mqgw_position position{};
  std::string topic, payload, contentType, responseTopic, correlationData, publisherId;
  std::vector<std::pair<std::string, std::string>> userProps;
  std::vector<mqgw_user_prop> propViews;
  mqgw_message_view view{};
};

namespace mqgw::cluster::testing {

class FakeHost {
 public:
  static FakeHost& instance() {
    static FakeHost host;
    return host;
  }
  const mqgw_host_api* api() const { return &api_; }

  // Forgets (and frees) everything recorded so far.
  void reset() {
    std::lock_guard lock(mu_);
    for (mqgw_message* m : fed_) delete m;
    for (auto& [target, m] : sessionFed_) delete m;
    fed_.clear();
    sessionFed_.clear();
    logs_.clear();
  }

  // Waits until at least n messages were fed (storage_feed); false on timeout.
  bool waitFed(size_t n, int timeoutMs) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                        [&] { return fed_.size() >= n; });
  }
  bool waitSessionFed(size_t n, int timeoutMs) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                        [&] { return sessionFed_.size() >= n; });
  }
  size_t fedCount() {
    std::lock_guard lock(mu_);
    return fed_.size();
  }
  // Copies of what was fed so far: the messages stay owned by the host.
  std::vector<const mqgw_message*> fed() {
    std::lock_guard lock(mu_);
    return {fed_.begin(), fed_.end()};
  }
  std::vector<std::pair<uint64_t, const mqgw_message*>> sessionFed() {
    std::lock_guard lock(mu_);
    return {sessionFed_.begin(), sessionFed_.end()};
  }
  int64_t metric(const std::string& name) {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < metricNames_.size(); ++i)
      if (metricNames_[i] == name) return metricValues_[i];
    return -1;
  }
  // The first kMaxLogs lines logged since reset (bounded: fuzzers log on and on).
  std::vector<std::string> logs() {
    std::lock_guard lock(mu_);
    return logs_;
  }

  static mqgw_message* copy(const mqgw_message_view* v, bool restored) {
    auto* m = new mqgw_message;
    m->restored = restored;
    auto text = [](mqgw_str s) { return s.len ? std::string(s.ptr, s.len) : std::string(); };
    m->topic = text(v->topic);
    m->payload = text(v->payload);
    m->contentType = text(v->content_type);
    m->responseTopic = text(v->response_topic);
    m->correlationData = text(v->correlation_data);
    m->publisherId = text(v->publisher_id);
    for (uint32_t i = 0; i < v->user_prop_count; ++i)
      m->userProps.emplace_back(text(v->user_props[i].key), text(v->user_props[i].value));
    m->view = *v;
    auto str = [](const std::string& s) { return mqgw_str{s.data(), s.size()}; };
    m->view.topic = str(m->topic);
    m->view.payload = str(m->payload);
    m->view.content_type = str(m->contentType);
    m->view.response_topic = str(m->responseTopic);
    m->view.correlation_data = str(m->correlationData);
    m->view.publisher_id = str(m->publisherId);
    for (auto& [k, val] : m->userProps) m->propViews.push_back({str(k), str(val)});
    m->view.user_props = m->propViews.data();
    m->view.user_prop_count = static_cast<uint32_t>(m->propViews.size());
    return m;
  }

 private:
  static constexpr size_t kMaxLogs = 10000;

  FakeHost() {
    api_.struct_size = sizeof api_;
    api_.abi_version = MQGW_ABI_VERSION;
    api_.log = &FakeHost::log;
    api_.metric_register = &FakeHost::metricRegister;
    api_.metric_add = &FakeHost::metricAdd;
    api_.message_create = [](const mqgw_message_view* v) { return copy(v, false); };
    api_.message_restore = [](const mqgw_message_view* v) { return copy(v, true); };
    api_.message_ref = [](mqgw_message* m) { ++m->refs; };
    api_.message_unref = [](mqgw_message* m) {
      if (--m->refs == 0) delete m;
    };
    api_.message_view = [](const mqgw_message* m) { return &m->view; };
    api_.message_set_position = [](mqgw_message* m, mqgw_position p) {
      m->hasPosition = true;
      m->position = p;
    };
    // the core's rule for topic names: not empty, no wildcards, no U+0000 (UTF-8 is checked
    // by the caller)
    api_.topic_valid_name = [](mqgw_str t) {
      std::string_view s(t.ptr, t.len);
      return !s.empty() && s.find_first_of(std::string_view("+#\0", 3)) == s.npos ? 1 : 0;
    };
    api_.storage_feed = [](mqgw_message* m) {
      FakeHost& h = instance();
      ++m->refs;  // the core takes its own reference
      std::lock_guard lock(h.mu_);
      h.fed_.push_back(m);
      h.cv_.notify_all();
    };
    api_.storage_feed_session = [](uint64_t target, mqgw_message* m) {
      FakeHost& h = instance();
      ++m->refs;
      std::lock_guard lock(h.mu_);
      h.sessionFed_.emplace_back(target, m);
      h.cv_.notify_all();
    };
    api_.storage_health_changed = [](int) {};
  }

  static void log(int level, const char*, const char* fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (level >= MQGW_LOG_WARN) fprintf(stderr, "[fake host] %s\n", line);
    std::lock_guard lock(instance().mu_);
    if (instance().logs_.size() < kMaxLogs) instance().logs_.emplace_back(line);
  }
  static uint32_t metricRegister(const char* name, const char*, int) {
    FakeHost& h = instance();
    std::lock_guard lock(h.mu_);
    for (size_t i = 0; i < h.metricNames_.size(); ++i)
      if (h.metricNames_[i] == name) return static_cast<uint32_t>(i);
    h.metricNames_.emplace_back(name);
    h.metricValues_.push_back(0);
    return static_cast<uint32_t>(h.metricNames_.size() - 1);
  }
  static void metricAdd(uint32_t id, int64_t delta) {
    FakeHost& h = instance();
    std::lock_guard lock(h.mu_);
    if (id < h.metricValues_.size()) h.metricValues_[id] += delta;
  }

  mqgw_host_api api_{};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<mqgw_message*> fed_;
  std::vector<std::pair<uint64_t, mqgw_message*>> sessionFed_;
  std::vector<std::string> metricNames_;
  std::vector<int64_t> metricValues_;
  std::vector<std::string> logs_;
};

}  // namespace mqgw::cluster::testing
