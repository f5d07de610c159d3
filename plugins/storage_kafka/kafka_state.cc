// StateStore: start/stop, the session writes and claims (cluster::SessionClaims over the control
// topic); load is in kafka_state_load.cc.
#include <chrono>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "kafka_admin.h"
#include "kafka_feed_consumer.h"
#include "kafka_state_impl.h"

namespace mqgw::kafka {
namespace {

constexpr int kCreateTopicsTimeoutMs = 15000;
constexpr int kLeadersTimeoutMs = 10000;
constexpr const char* kControlRetentionMs = "3600000";

uint64_t wallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string keyOf(const rd_kafka_message_t* m) {
  return m->key ? std::string(static_cast<const char*>(m->key), m->key_len) : std::string();
}

// A state record failed for good: the next change of the same key writes it whole again.
void stateWritten(void* arg, int status, int32_t, int64_t) {
  if (status == MQGW_OK) return;
  auto* host = static_cast<const mqgw_host_api*>(arg);
  host->log(MQGW_LOG_WARN, kStateLog, "a state record was not stored (%s)",
            host->strerror(status));
}

struct RetainedDone {
  mqgw_append_cb cb;
  void* arg;
};

void retainedWritten(void* arg, int status, int32_t, int64_t) {
  auto* d = static_cast<RetainedDone*>(arg);
  d->cb(d->arg, status);
  delete d;
}

}  // namespace

StateStore::Impl::Impl(const mqgw_host_api* h, const Settings& s, Producer& p, Feed& f,
                       PartitionTable& t)
    : host(h),
      settings(s),
      producer(p),
      feed(f),
      table(t),
      sessionsTopic(stateTopic(s, "sessions")),
      retainedTopic(stateTopic(s, "retained")),
      controlTopic(stateTopic(s, "control")),
      view(s.nodeId),
      follower(
          h, sessionsTopic, controlTopic, [this](const rd_kafka_message_t* m) { onSessionsRecord(m); },
          [this](const rd_kafka_message_t* m) { onControlRecord(m); }),
      claims(h, s.nodeId, s.claimTimeoutMs, view,
             {[this](SessionClaims::Control, const std::string& k, const std::string& v) {
                return writeControl(k, v);
              },
              [this](const mqgw_position* p, uint32_t n) { return table.named(p, n); },
              [this](const std::vector<NamedPosition>& c) { return table.toCore(c); },
              [this](const std::string& k, const std::string* v) {
                return writeSessions(k, v);
              }}) {}

StateStore::StateStore(const mqgw_host_api* host, const Settings& settings, Producer& producer,
                       Feed& feed, PartitionTable& table)
    : impl_(std::make_unique<Impl>(host, settings, producer, feed, table)) {}

StateStore::~StateStore() {
  stop();
  if (impl_->consumerConf) rd_kafka_conf_destroy(impl_->consumerConf);
}

bool StateStore::configure(std::string* why) {
  impl_->consumerConf = feedConsumerConf(impl_->settings, why);
  return impl_->consumerConf != nullptr;
}

int StateStore::start() {
  Impl& s = *impl_;
  if (!s.consumerConf || s.started) return MQGW_E_INVAL;
  if (!s.follower.create(s.consumerConf)) return MQGW_E_INVAL;
  const int rf = s.settings.replicationFactor;
  std::vector<TopicSpec> specs = {
      {s.sessionsTopic, 1, rf, {{"cleanup.policy", "compact"}}},
      {s.retainedTopic, 1, rf, {{"cleanup.policy", "compact"}}},
      {s.controlTopic, 1, rf, {{"cleanup.policy", "delete"}, {"retention.ms", kControlRetentionMs}}},
  };
  std::string why;
  if (!createTopics(s.follower.consumer().handle(), specs, kCreateTopicsTimeoutMs, &why)) {
    s.host->log(MQGW_LOG_ERROR, kStateLog, "cannot create the state topics: %s", why.c_str());
    return MQGW_E_UNAVAILABLE;
  }
  for (const TopicSpec& t : specs)
    if (!waitForLeaders(s.follower.consumer().handle(), t.name, kLeadersTimeoutMs)) {
      s.host->log(MQGW_LOG_ERROR, kStateLog, "state topic %s has no leader", t.name.c_str());
      return MQGW_E_UNAVAILABLE;
    }
  for (const TopicSpec& t : specs) s.producer.warm(t.name, kLeadersTimeoutMs);
  // Claims made from now on must be seen: start control at its end as of now, not at
  // whatever the end is once the consumer gets there.
  int64_t high = stateEndOffset(s.follower.consumer(), s.controlTopic);
  if (high < 0) {
    s.host->log(MQGW_LOG_ERROR, kStateLog, "no end offset for %s", s.controlTopic.c_str());
    return MQGW_E_UNAVAILABLE;
  }
  if (!s.follower.run(high)) return MQGW_E_UNAVAILABLE;
  s.claims.start();
  s.started = true;
  return MQGW_OK;
}

void StateStore::stop() {
  // The consumer first: no release can take a waiter once the waiter answers what is left.
  impl_->follower.stop();
  impl_->claims.stop();
}

int StateStore::Impl::writeSessions(const std::string& key, const std::string* value) {
  return producer.produce(sessionsTopic, key, value ? value->data() : nullptr,
                          value ? value->size() : 0, stateWritten, const_cast<mqgw_host_api*>(host));
}

int StateStore::Impl::writeControl(const std::string& key, const std::string& value) {
  return producer.produce(controlTopic, key, value.data(), value.size(), stateWritten,
                          const_cast<mqgw_host_api*>(host));
}

int StateStore::putSession(mqgw_str clientId, const uint8_t* state, size_t len) {
  Impl& s = *impl_;
  return s.view.putSession({clientId.ptr, clientId.len},
                           std::string(reinterpret_cast<const char*>(state), len), wallMs(),
                           [&s](const std::string& k, const std::string* v) {
                             return s.writeSessions(k, v);
                           });
}

int StateStore::deleteSession(mqgw_str clientId) {
  Impl& s = *impl_;
  return s.view.deleteSession({clientId.ptr, clientId.len},
                              [&s](const std::string& k, const std::string* v) {
                                return s.writeSessions(k, v);
                              });
}

int StateStore::putCursors(const mqgw_cursor* c, uint32_t n, const mqgw_position* floors,
                           uint32_t nFloors) {
  Impl& s = *impl_;
  auto write = [&s](const std::string& k, const std::string* v) { return s.writeSessions(k, v); };
  const uint64_t now = wallMs();
  int rc = MQGW_OK;
  for (uint32_t i = 0; i < n; ++i) {
    int one = s.view.putCursor({c[i].client_id.ptr, c[i].client_id.len},
                               s.table.named(c[i].next, c[i].n), now, write);
    if (one != MQGW_OK) rc = one;
  }
  // An empty floor list (nothing routed yet) replaces no floor, but a node's first one is
  // written even empty: it says "this node ran", so after a restart every partition it does not
  // name is replayed from its beginning rather than skipped as by a brand-new node.
  if (nFloors > 0 || !s.view.hasOwnFloor()) {
    int one = s.view.putFloor(s.table.named(floors, nFloors), now, write);
    if (one != MQGW_OK) rc = one;
  }
  return rc;
}

int StateStore::claim(mqgw_str clientId, int takeState, mqgw_claim_cb cb, void* arg) {
  return impl_->claims.claim(clientId, takeState, cb, arg);
}

int StateStore::release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
                        const mqgw_position* next, uint32_t n) {
  return impl_->claims.release(claim, clientId, state, len, next, n);
}

int StateStore::putRetained(const mqgw_message* msg, mqgw_append_cb done, void* arg) {
  Impl& s = *impl_;
  const mqgw_message_view* m = s.host->message_view(msg);
  std::string key(m->topic.ptr, m->topic.len);
  std::string value;
  if (m->payload.len > 0) {  // an empty payload clears: a tombstone
    value.resize(s.host->message_encode(msg, nullptr, 0));
    size_t n = s.host->message_encode(msg, reinterpret_cast<uint8_t*>(value.data()), value.size());
    if (n != value.size()) return MQGW_E_INVAL;
  }
  auto* d = new (std::nothrow) RetainedDone{done, arg};
  if (!d) return MQGW_E_NOMEM;
  int rc = s.producer.produce(s.retainedTopic, key, m->payload.len ? value.data() : nullptr,
                              value.size(), retainedWritten, d);
  if (rc != MQGW_OK) delete d;
  return rc;
}

// ---- the state consumer's thread ----

void StateStore::Impl::onSessionsRecord(const rd_kafka_message_t* m) {
  std::string key = keyOf(m);
  std::optional<std::string> value;
  if (m->payload) value.emplace(static_cast<const char*>(m->payload), m->len);
  if (!view.apply(key, value ? &*value : nullptr))
    host->log(MQGW_LOG_WARN, kStateLog, "%s: unreadable record at offset %lld ignored",
              sessionsTopic.c_str(), static_cast<long long>(m->offset));
}

void StateStore::Impl::onControlRecord(const rd_kafka_message_t* m) {
  ControlRecord record;
  if (!m->payload ||
      !decode({static_cast<const char*>(m->payload), m->len}, &record)) {
    host->log(MQGW_LOG_WARN, kStateLog, "%s: unreadable record at offset %lld ignored",
              controlTopic.c_str(), static_cast<long long>(m->offset));
    return;
  }
  claims.onControl(record);
}

}  // namespace mqgw::kafka
