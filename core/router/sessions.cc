// Session lifecycle on a worker: open (taking over a previous owner of the Client ID, which may
// live on another worker), close (end, or detach a persistent session), the backlog a persistent
// session keeps while its client is away, resume, delayed wills and expiry.
//
// A takeover moves state by message passing, like everything between workers: the new owner's
// worker posts "surrender" to the old owner's worker, which kicks the old connection, takes the
// old session's subscriptions and backlog out of its tree, and posts them back ("adopt"). Until
// then the new session queues what arrives and defers the frontend's resume, so the client sees
// the old backlog first and nothing twice.
#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "auth/topic_acl.h"
#include "common/clock.h"
#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "loop/worker.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "router/router.h"

namespace mqgw {

struct Router::Transfer {
  uint64_t oldId;
  uint32_t toWorker;
  uint64_t newId;
  bool takeState;
  std::vector<Subscription> subs;
  std::unique_ptr<SessionBacklog> backlog;
  std::unique_ptr<SessionCursor> cursor;  // what the moved backlog has not settled
};

namespace {

using clock::steadyMs;

size_t messageBytes(const mqgw_message* m) { return m->view.topic.len + m->view.payload.len; }

struct SessionMetrics {
  uint32_t dropped, expired, resumed;
};
const SessionMetrics& sessionMetrics() {
  static const SessionMetrics m{
      metrics::registerMetric("mqgw_session_queue_dropped_total",
                              "Messages dropped from full offline session queues", false),
      metrics::registerMetric("mqgw_sessions_expired_total", "Persistent sessions expired", false),
      metrics::registerMetric("mqgw_sessions_resumed_total", "Persistent sessions resumed", false)};
  return m;
}

}  // namespace

SessionBacklog::~SessionBacklog() {
  for (auto& p : parked) message::unref(p.msg);
  for (auto& q : queue) message::unref(q.msg);
  if (will) message::unref(will);
}

Session* Router::openSession(Connection* c, const mqgw_session_params& p, bool* present) {
  Session* s = createSession(std::string(p.client_id.ptr, p.client_id.len), c);
  s->expiryIntervalS = p.expiry_interval_s;
  auto previous = Gateway::get().sessions().claim(
      s->clientId, {worker_.index(), s->id, s->persistent()});
  *present = false;
  if (!previous) {
    if (Gateway::get().storage().clustered())
      claimAcrossNodes(s, p, present);  // the Client ID may live on another node
    else
      persist(s);
    return s;
  }
  if (Gateway::get().storage().clustered()) announceClaim(s);
  auto* t = new Transfer{previous->sessionId, worker_.index(), s->id, false, {}, {}, {}};
  t->takeState = p.clean_start == 0 && previous->persistent;
  if (t->takeState) {
    *present = true;
    s->transferPending = s->resumePending = true;
  }
  if (!Gateway::get().worker(previous->worker).post(surrenderTask, t)) delete t;
  return s;
}

void Router::surrenderTask(void* arg) {
  auto* t = static_cast<Transfer*>(arg);
  if (Worker* w = Worker::current()) return w->router().surrender(t);
  delete t;  // drained after its worker stopped
}

void Router::surrender(Transfer* t) {
  Session* old = findSession(t->oldId);
  if (old && !old->movedAway) {
    // The old client goes first (MQTT 5: DISCONNECT 0x8E); a frontend that supports
    // persistent sessions parks what it owes and detaches right here.
    if (old->conn) old->conn->kick(MQGW_CLOSE_TAKEOVER);
    old = findSession(t->oldId);  // the kick may have ended a non-persistent session
  }
  if (old && !old->movedAway) {
    if (old->subscriptions)
      for (auto& sub : *old->subscriptions) removeSubscription(old, sub.filter);
    if (t->takeState) {
      if (old->subscriptions) t->subs = std::move(*old->subscriptions);
      t->backlog = std::move(old->backlog);
      t->cursor = std::move(old->cursor);
      if (t->backlog && t->backlog->will) {  // resumed in time: the delayed will is void
        message::unref(t->backlog->will);
        t->backlog->will = nullptr;
      }
    } else {
      publishWill(old);  // a clean start ends the old session
    }
    old->subscriptions.reset();
    old->backlog.reset();
    old->cursor.reset();
    old->stored = false;  // the new owner writes or deletes the stored state (adopt)
    if (old->conn)
      old->movedAway = true;  // its frontend will still call session_close
    else
      destroySession(old);
  }
  if (!Gateway::get().worker(t->toWorker).post(adoptTask, t)) delete t;
}

void Router::adoptTask(void* arg) {
  auto* t = static_cast<Transfer*>(arg);
  if (Worker* w = Worker::current()) return w->router().adopt(t);
  delete t;  // drained after its worker stopped
}

void Router::adopt(Transfer* t) {
  std::unique_ptr<Transfer> owned(t);
  Session* s = findSession(t->newId);
  if (!s) return;  // the new connection is already gone, and its session with it
  s->transferPending = false;
  for (auto& sub : t->subs) {
    bool known = false;
    for (auto& mine : s->subs()) known = known || mine.filter == sub.filter;
    if (!known) subscribe(s, sub.filter, sub.options);
  }
  if (t->backlog) {
    // The old backlog comes first; whatever arrived for the new session meanwhile follows.
    if (s->backlog) {
      for (auto& q : s->backlog->queue) t->backlog->queue.push_back(q);
      t->backlog->queueBytes += s->backlog->queueBytes;
      s->backlog->queue.clear();
    }
    s->backlog = std::move(t->backlog);
  }
  if (t->cursor && s->persistent()) s->cursor = std::move(t->cursor);
  if (s->persistent()) {
    persist(s);
  } else if (Gateway::get().storage().durable()) {
    Gateway::get().storage().deleteSession(s->clientId);  // a clean start ends the stored one
  }
  metrics::add(sessionMetrics().resumed, 1);
  if (s->conn && s->resumeRequested) doResume(s);
}

void Router::closeSession(Session* s) {
  if (s->movedAway || !s->persistent()) {
    if (!s->movedAway) {
      Gateway::get().sessions().release(s->clientId, s->id);
      publishWill(s);
      redistributeShared(s);
      forget(s);
    }
    destroySession(s);
    return;
  }
  s->conn = nullptr;
  Gateway::get().sessions().setConnected(s->clientId, s->id, false);
  s->resumePending = s->resumeRequested = false;
  s->owed().expireAtMs =
      s->expiryIntervalS == UINT32_MAX ? 0 : steadyMs() + s->expiryIntervalS * 1000ull;
  detached_.push_back(s->id);
  persist(s, /*detached=*/true);
}

void Router::parkSession(Session* s, const mqgw_parked* owed, uint32_t n, const uint16_t* ids,
                         uint32_t nIds) {
  // Nothing will resume it — unless other members of its shared groups can take what it owed.
  if (s->movedAway || (!s->persistent() && !hasShared(s))) return;
  SessionBacklog& b = s->owed();
  for (auto& p : b.parked) message::unref(p.msg);
  b.parked.clear();
  for (uint32_t i = 0; i < n; ++i) {
    mqgw_parked p{};
    std::memcpy(&p, &owed[i], std::min<size_t>(owed[i].struct_size, sizeof p));
    if (!p.msg) continue;
    message::ref(p.msg);
    b.parked.push_back(p);
  }
  b.qos2Inbound.assign(ids, ids + nIds);
}

void Router::resumeSession(Session* s) {
  if (!s->resumePending) return;
  if (s->transferPending) {
    s->resumeRequested = true;  // adopt() resumes once the old state is here
    return;
  }
  doResume(s);
}

void Router::doResume(Session* s) {
  s->resumePending = s->resumeRequested = false;
  if (!s->backlog || !s->conn) return;
  std::unique_ptr<SessionBacklog> b = std::move(s->backlog);
  if (b->will) {  // a new connection before the will delay ended: no will (MQTT 5 3.1.3.2.2)
    message::unref(b->will);
    b->will = nullptr;
  }
  s->conn->resume(b->parked.data(), static_cast<uint32_t>(b->parked.size()),
                  b->qos2Inbound.data(), static_cast<uint32_t>(b->qos2Inbound.size()));
  while (!b->queue.empty() && s->conn && !s->resumePending) {
    QueuedDelivery q = b->queue.front();
    b->queue.pop_front();
    mqgw_delivery d{};
    d.struct_size = sizeof d;
    d.qos = q.qos;
    d.retain = q.retain;
    d.subscription_id = q.subscriptionId;
    d.subscription_ids = q.subscriptionId ? &q.subscriptionId : nullptr;
    d.subscription_id_count = q.subscriptionId ? 1 : 0;
    s->conn->deliver(q.msg, d);
    message::unref(q.msg);
  }
}

void Router::deliverToSession(Session* s, mqgw_message* msg, const mqgw_delivery& d,
                              bool fresh) {
  const bool tracked = fresh && s->cursor && msg->hasPos;
  if (tracked && s->cursor->skipOnReplay(msg->pos)) return;  // settled before the restart
  if (s->conn && !s->resumePending) {
    if (tracked && d.qos > 0) track(s, msg);
    return s->conn->deliver(msg, d);
  }
  if (s->movedAway) return;
  if (d.qos > 0 && (s->persistent() || s->resumePending)) {
    if (tracked) track(s, msg);
    enqueue(s, msg, d);
  }
  // QoS 0 to an absent client is dropped: MQTT lets the server keep it, we choose not to.
}

void Router::enqueue(Session* s, mqgw_message* msg, const mqgw_delivery& d) {
  SessionBacklog& b = s->owed();
  const CoreLimits& l = coreLimits();
  size_t bytes = messageBytes(msg);
  while (!b.queue.empty() &&
         (b.queue.size() >= l.sessionQueueMessages || b.queueBytes + bytes > l.sessionQueueBytes)) {
    b.queueBytes -= messageBytes(b.queue.front().msg);
    settle(s, b.queue.front().msg);  // dropped for good: the cursor moves past it
    message::unref(b.queue.front().msg);
    b.queue.pop_front();  // overflow drops the oldest
    metrics::add(sessionMetrics().dropped, 1);
  }
  message::ref(msg);
  b.queue.push_back({msg, d.qos, d.retain, d.subscription_id});
  b.queueBytes += bytes;
}

void Router::setWill(Session* s, mqgw_message* will, uint32_t delayS) {
  SessionBacklog& b = s->owed();
  if (b.will) message::unref(b.will);
  message::ref(will);
  b.will = will;
  b.willAtMs = steadyMs() + delayS * 1000ull;
}

void Router::setExpiry(Session* s, uint32_t expiryS) {
  s->expiryIntervalS = expiryS;
  Gateway::get().sessions().setPersistent(s->clientId, s->id, s->persistent());
  if (s->persistent())
    persist(s);
  else
    forget(s);
}

void Router::publishWill(Session* s) {
  if (!s->backlog || !s->backlog->will) return;
  mqgw_message* will = s->backlog->will;
  s->backlog->will = nullptr;
  // Checked when it goes out, like any publish: the rules are the ones in force now.
  if (auth::publishAllowed({will->view.topic.ptr, will->view.topic.len}))
    Gateway::get().storage().publish(nullptr, will, 0);
  message::unref(will);
}

void Router::sweepSessions() {
  uint64_t now = steadyMs();
  size_t kept = 0;
  for (size_t i = 0; i < detached_.size(); ++i) {
    Session* s = findSession(detached_[i]);
    if (!s || s->conn || s->movedAway) continue;  // resumed, moved or gone
    if (s->backlog && s->backlog->will && now >= s->backlog->willAtMs) publishWill(s);
    if (s->backlog && s->backlog->expireAtMs && now >= s->backlog->expireAtMs) {
      metrics::add(sessionMetrics().expired, 1);
      Gateway::get().sessions().release(s->clientId, s->id);
      publishWill(s);  // the session ends: a pending will goes now (MQTT 5 3.1.3.2.2)
      forget(s);
      destroySession(s);
      continue;
    }
    detached_[kept++] = detached_[i];
  }
  detached_.resize(kept);
}

}  // namespace mqgw
