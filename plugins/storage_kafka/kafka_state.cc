// StateStore: start/stop, the session writes and claims (load is in kafka_state_load.cc).
#include <chrono>
#include <new>
#include <optional>
#include <string>
#include <variant>
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
      waiter([this](ClaimWaiter::Waiter& w) { answer(w, nullptr); }),
      random(std::random_device{}()) {}

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
  s.waiter.start();
  s.started = true;
  return MQGW_OK;
}

void StateStore::stop() {
  // The consumer first: no release can take a waiter once the waiter answers what is left.
  impl_->follower.stop();
  impl_->waiter.stop();
}

int StateStore::Impl::writeSessions(const std::string& key, const std::string* value) {
  return producer.produce(sessionsTopic, key, value ? value->data() : nullptr,
                          value ? value->size() : 0, stateWritten, const_cast<mqgw_host_api*>(host));
}

int StateStore::Impl::writeControl(const std::string& key, const std::string& value) {
  return producer.produce(controlTopic, key, value.data(), value.size(), stateWritten,
                          const_cast<mqgw_host_api*>(host));
}

uint64_t StateStore::Impl::newClaimId() {
  std::lock_guard lock(claimsMu);
  uint64_t id = 0;
  while (id == 0) id = random();
  return id;
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
  Impl& s = *impl_;
  std::string id(clientId.ptr, clientId.len);
  StateView::Known known = s.view.lookup(id);
  const bool stored = !known.owner.empty();
  ClaimRecord c{s.newClaimId(), s.settings.nodeId, id, takeState != 0, wallMs(),
                stored ? known.owner : std::string()};
  const bool wait = c.takeState && stored;
  if (wait) {
    // The map says this node owns it (a stale record): nobody else will answer, answer now.
    auto timeout = known.owner == s.settings.nodeId
                       ? std::chrono::milliseconds(0)
                       : std::chrono::milliseconds(s.settings.claimTimeoutMs);
    ClaimWaiter::Waiter w{c.claimId, id, known.owner, cb, arg, ClaimWaiter::Clock::now() + timeout};
    if (!s.waiter.add(std::move(w))) return MQGW_E_UNAVAILABLE;
  }
  {
    std::lock_guard lock(s.claimsMu);
    s.ownInFlight[id].push_back(c.timeMs);
  }
  int rc = s.writeControl(id, encode(c));
  if (rc != MQGW_OK) {
    {
      std::lock_guard lock(s.claimsMu);
      if (auto it = s.ownInFlight.find(id); it != s.ownInFlight.end()) {
        std::erase(it->second, c.timeMs);
        if (it->second.empty()) s.ownInFlight.erase(it);
      }
    }
    if (wait && !s.waiter.take(c.claimId)) return 1;  // answered already: cb was called
    return rc;
  }
  if (wait) return 1;
  s.view.claimed(id, std::nullopt, c.timeMs, nullptr);
  return MQGW_OK;
}

int StateStore::release(uint64_t claim, mqgw_str clientId, const uint8_t* state, size_t len,
                        const mqgw_position* next, uint32_t n) {
  Impl& s = *impl_;
  ClaimRecord c;
  {
    std::lock_guard lock(s.claimsMu);
    auto it = s.toAnswer.find(claim);
    if (it == s.toAnswer.end()) return MQGW_E_NOT_FOUND;
    c = std::move(it->second);
    s.toAnswer.erase(it);
  }
  ReleaseRecord r{claim, s.settings.nodeId, c.node, std::string(clientId.ptr, clientId.len),
                  std::string(reinterpret_cast<const char*>(state), len), s.table.named(next, n)};
  s.view.lost(r.clientId, c.node);  // the claiming node writes it from now on
  return s.writeControl(r.clientId, encode(r));
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

bool StateStore::Impl::newerHere(const std::string& clientId) {
  // A claim whose record never made it to Kafka is never read back: after this long it no
  // longer counts as on its way.
  constexpr uint64_t kInFlightForMs = 30000;
  std::lock_guard lock(claimsMu);
  auto it = ownInFlight.find(clientId);
  if (it == ownInFlight.end()) return false;
  const uint64_t now = wallMs();
  std::erase_if(it->second, [&](uint64_t at) { return at + kInFlightForMs < now; });
  if (!it->second.empty()) return true;
  ownInFlight.erase(it);
  return false;
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
  if (auto* c = std::get_if<ClaimRecord>(&record)) return onClaim(*c);
  onRelease(std::get<ReleaseRecord>(record));
}

// Every node closes its connection of that Client ID; only the node asked to (or the one that
// holds the session by its own records) hands over the state — a node asked by a claimant with
// an older map answers "not held", which the claimant does not wait for.
void StateStore::Impl::onClaim(const ClaimRecord& c) {
  const std::string& self = settings.nodeId;
  if (c.node == self) {  // read back: later claims from others are newer than it
    std::lock_guard lock(claimsMu);
    auto it = ownInFlight.find(c.clientId);
    if (it != ownInFlight.end()) {
      std::erase(it->second, c.timeMs);
      if (it->second.empty()) ownInFlight.erase(it);
    }
    return;
  }
  // This node's own claim of the id is still on its way: it will land after this one, so the
  // local connection is the newer one and stays (the claimant times out to the stored state).
  if (newerHere(c.clientId)) return;
  bool answerHere = c.takeState && (c.expectedOwner == self || view.lookup(c.clientId).owner == self);
  if (answerHere) {
    std::lock_guard lock(claimsMu);
    toAnswer[c.claimId] = c;
  } else {
    view.lost(c.clientId, c.node);
  }
  host->storage_session_claimed({c.clientId.data(), c.clientId.size()}, answerHere ? 1 : 0,
                                c.claimId, c.timeMs);
}

void StateStore::Impl::onRelease(const ReleaseRecord& r) {
  if (r.to != settings.nodeId) return;
  std::optional<ClaimWaiter::Waiter> w = waiter.take(r.claimId);
  if (!w) return;  // answered at its deadline already
  if (r.state.empty() && r.from != w->expectedOwner) {
    waiter.add(std::move(*w));  // "not held" from a node not asked: the owner may still answer
    return;
  }
  answer(*w, &r);
}

void StateStore::Impl::answer(ClaimWaiter::Waiter& w, const ReleaseRecord* r) {
  SessionRecord taken;
  std::string from;
  if (r && !r->state.empty()) {
    taken.state = r->state;
    taken.cursor = r->cursor;
    from = r->from;
  } else {
    StateView::Known k = view.lookup(w.clientId);
    if (k.record.state.empty()) return w.cb(w.arg, MQGW_E_NOT_FOUND, nullptr, 0, nullptr, 0);
    taken = k.record;
    from = k.record.owner;
  }
  // An empty cursor followed its node's floor: everything from there on is still owed. On
  // this node itself it means "owed nothing beyond the live position" (n == 0).
  if (taken.cursor.empty() && from != settings.nodeId)
    if (auto floor = view.floorOf(from)) taken.cursor = *floor;
  std::vector<mqgw_position> next = table.toCore(taken.cursor);
  std::string state = taken.state;
  view.claimed(w.clientId, std::move(taken), wallMs(),
               [this](const std::string& k, const std::string* v) { return writeSessions(k, v); });
  w.cb(w.arg, MQGW_OK, reinterpret_cast<const uint8_t*>(state.data()), state.size(), next.data(),
       static_cast<uint32_t>(next.size()));
}

}  // namespace mqgw::kafka
