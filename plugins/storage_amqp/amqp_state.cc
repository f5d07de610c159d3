// StateStore: start/stop, the writes to the state stream and what the state follower reads
// (claims are in amqp_state_claims.cc, load in amqp_state_load.cc).
#include <chrono>
#include <string>
#include <utility>

#include "amqp_state_impl.h"

namespace mqgw::amqp {
namespace {

constexpr int kRegisterTimeoutMs = 10000;  // the followers' first consumer registration

// A state record failed for good: the next change of the same key writes it whole again.
void stateWritten(void* arg, int status) {
  if (status == MQGW_OK) return;
  auto* host = static_cast<const mqgw_host_api*>(arg);
  host->log(MQGW_LOG_WARN, kStateLog, "a state record was not stored (%s)",
            host->strerror(status));
}

}  // namespace

uint64_t wallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

StateStore::Impl::Impl(const mqgw_host_api* h, const Settings& s, Publisher& p, Feed& f)
    : host(h),
      settings(s),
      publisher(p),
      feed(f),
      logStream(stateName(s, "log")),
      stateStream(stateName(s, "state")),
      controlStream(stateName(s, "control")),
      view(s.nodeId),
      stateFollower(h, s, stateStream, "first", "state",
                    [this](int64_t o, const Delivery& d) { onStateRecord(o, d); }),
      controlFollower(h, s, controlStream, "next", "control",
                      [this](int64_t o, const Delivery& d) { onControlRecord(o, d); }),
      claims(h, s.nodeId, s.claimTimeoutMs, view,
             {[this](SessionClaims::Control kind, const std::string& id, const std::string& v) {
                return writeControl(kind == SessionClaims::Control::kClaim ? StateKind::kClaim
                                                                           : StateKind::kRelease,
                                    id, v);
              },
              [this](const mqgw_position* p, uint32_t n) {
                return namedPositions(logStream, p, n);
              },
              [this](const std::vector<NamedPosition>& c) { return corePositions(logStream, c); },
              sessionWriter()}) {}

StateStore::StateStore(const mqgw_host_api* host, const Settings& settings, Publisher& publisher,
                       Feed& feed)
    : impl_(std::make_unique<Impl>(host, settings, publisher, feed)) {}

StateStore::~StateStore() { stop(); }

int StateStore::start() {
  Impl& s = *impl_;
  if (s.started) return MQGW_E_INVAL;
  // Control first: claims made from now on must be seen, so its consumer is registered
  // (at "next") before anything else happens.
  if (!s.controlFollower.start(kRegisterTimeoutMs) ||
      !s.stateFollower.start(kRegisterTimeoutMs)) {
    s.host->log(MQGW_LOG_ERROR, kStateLog, "cannot consume %s and %s",
                s.controlStream.c_str(), s.stateStream.c_str());
    s.controlFollower.stop();
    s.stateFollower.stop();
    return MQGW_E_UNAVAILABLE;
  }
  s.claims.start();
  s.started = true;
  return MQGW_OK;
}

void StateStore::stop() {
  // The followers first: no release can take a waiter once the waiter answers what is left.
  impl_->controlFollower.stop();
  impl_->stateFollower.stop();
  impl_->claims.stop();
  impl_->started = false;
}

int StateStore::Impl::writeSession(const std::string& key, const std::string* value) {
  return publisher.publishTo(
      stateStream, stateRecord(StateKind::kSession, key, value ? *value : std::string_view()),
      stateWritten, const_cast<mqgw_host_api*>(host));
}

int StateStore::putSession(mqgw_str clientId, const uint8_t* state, size_t len) {
  Impl& s = *impl_;
  return s.view.putSession({clientId.ptr, clientId.len},
                           std::string(reinterpret_cast<const char*>(state), len), wallMs(),
                           s.sessionWriter());
}

int StateStore::deleteSession(mqgw_str clientId) {
  return impl_->view.deleteSession({clientId.ptr, clientId.len}, impl_->sessionWriter());
}

int StateStore::putCursors(const mqgw_cursor* c, uint32_t n, const mqgw_position* floors,
                           uint32_t nFloors) {
  Impl& s = *impl_;
  const StateView::Write write = s.sessionWriter();
  const uint64_t now = wallMs();
  int rc = MQGW_OK;
  for (uint32_t i = 0; i < n; ++i) {
    int one = s.view.putCursor({c[i].client_id.ptr, c[i].client_id.len},
                               namedPositions(s.logStream, c[i].next, c[i].n), now, write);
    if (one != MQGW_OK) rc = one;
  }
  // An empty floor list (nothing routed yet) replaces no floor, but a node's first one is
  // written even empty: it says "this node ran" (load then replays the log from its start
  // rather than skipping to its end as for a brand-new node).
  if (nFloors > 0 || !s.view.hasOwnFloor()) {
    int one = s.view.putFloor(namedPositions(s.logStream, floors, nFloors), now, write);
    if (one != MQGW_OK) rc = one;
  }
  return rc;
}

int StateStore::putRetained(const mqgw_message* msg, mqgw_append_cb done, void* arg) {
  Impl& s = *impl_;
  const mqgw_message_view* m = s.host->message_view(msg);
  std::string value;
  if (m->payload.len > 0) {  // an empty payload clears: an empty body
    value.resize(s.host->message_encode(msg, nullptr, 0));
    size_t n = s.host->message_encode(msg, reinterpret_cast<uint8_t*>(value.data()), value.size());
    if (n != value.size()) return MQGW_E_INVAL;
  }
  return s.publisher.publishTo(
      s.stateStream, stateRecord(StateKind::kRetained, {m->topic.ptr, m->topic.len}, value),
      done, arg);
}

int StateStore::putMeta(mqgw_str key, const uint8_t* value, size_t len) {
  Impl& s = *impl_;
  if (!key.ptr || key.len == 0 || (len && !value)) return MQGW_E_INVAL;
  return s.publisher.publishTo(
      s.stateStream,
      stateRecord(StateKind::kMeta, {key.ptr, key.len},
                  {reinterpret_cast<const char*>(value), len}),
      stateWritten, const_cast<mqgw_host_api*>(s.host));
}

// ---- the state follower's thread ----

void StateStore::Impl::onStateRecord(int64_t offset, const Delivery& d) {
  StateEntry e;
  if (!readStateEntry(d, &e)) {
    host->log(MQGW_LOG_WARN, kStateLog, "%s: a record without mqgw.kind/mqgw.key at offset "
              "%lld ignored", stateStream.c_str(), static_cast<long long>(offset));
    return;
  }
  switch (e.kind) {
    case StateKind::kSession: {
      const std::string value(e.body);
      if (!view.apply(e.key, e.body.empty() ? nullptr : &value))
        host->log(MQGW_LOG_WARN, kStateLog, "%s: unreadable record at offset %lld ignored",
                  stateStream.c_str(), static_cast<long long>(offset));
      return;
    }
    case StateKind::kRetained:
      return onRetained(e.key, e.body);
    case StateKind::kMeta:
      // Every node's records, this node's own too, in stream order: one sequence for all.
      if (host->storage_meta)
        host->storage_meta({e.key.data(), e.key.size()},
                           reinterpret_cast<const uint8_t*>(e.body.data()), e.body.size());
      return;
    default:  // a kind a newer node writes: not ours to read
      return;
  }
}

void StateStore::Impl::onRetained(std::string_view topic, std::string_view body) {
  std::lock_guard lock(retainedMu);
  if (retainedTaken) return;
  if (body.empty())
    retained.erase(std::string(topic));
  else
    retained[std::string(topic)].assign(body.data(), body.size());
}

}  // namespace mqgw::amqp
