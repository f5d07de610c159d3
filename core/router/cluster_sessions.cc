// Sessions across the gateway nodes of a clustered backend (Kafka): a Client ID lives on one
// node at a time. A CONNECT on node B claims it through the backend; the node that held it (A)
// closes its connection, and — when the client resumes — hands B the session's state and
// cursor (session_release) and forgets it without touching the stored record, which B now
// owns. B subscribes the session at once (live messages queue behind the resume), asks the
// backend to replay what the session had not settled up to where B's own feed stood, puts
// those messages first, and then lets the client resume. See
// docs/decisions/0005-kafka-cluster.md.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "auth/topic_acl.h"
#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "loop/worker.h"
#include "message/message.h"
#include "net/connection.h"
#include "router/router.h"
#include "router/session_record.h"
#include "router/topic_rules.h"
#include "tenancy/namespace.h"

namespace mqgw {

// The claimed state arriving from the backend, on its way to the session's worker.
struct Router::RemoteState {
  uint32_t worker;
  uint64_t sessionId;
  int status = MQGW_OK;
  std::vector<uint8_t> state;
  std::vector<mqgw_position> next;
};

// Another node's claim, on its way to the worker of the local session it names.
struct Router::Release {
  std::string clientId;
  uint64_t sessionId;
  bool takeState;
  uint64_t claim;
};

namespace {

StorageBinding& storage() { return Gateway::get().storage(); }

// session_claim, with a failure logged: the other nodes were not told (their connection of
// this Client ID, if any, stays).
int claim(const std::string& clientId, bool take, mqgw_claim_cb cb, void* arg) {
  int rc = storage().ops()->session_claim(storage().backend(), {clientId.data(), clientId.size()},
                                          take, cb, arg);
  if (rc < 0)
    spdlog::warn("storage '{}': claiming '{}' on the other nodes failed ({})", storage().name(),
                 clientId, rc);
  return rc;
}

void releaseNothing(const std::string& clientId, uint64_t claim) {
  storage().ops()->session_release(storage().backend(), claim,
                                   {clientId.data(), clientId.size()}, nullptr, 0, nullptr, 0);
}

template <class T, void (Router::*Method)(T*)>
void postTo(uint32_t worker, T* item) {
  auto task = [](void* arg) {
    if (Worker* w = Worker::current()) return (w->router().*Method)(static_cast<T*>(arg));
    delete static_cast<T*>(arg);  // drained after its worker stopped
  };
  if (!Gateway::get().worker(worker).post(task, item)) delete item;
}

}  // namespace

void Router::claimAcrossNodes(Session* s, const mqgw_session_params& p, bool* present) {
  const bool take = p.clean_start == 0;
  auto* r = new RemoteState{worker_.index(), s->id, MQGW_OK, {}, {}};
  auto answered = [](void* arg, int status, const uint8_t* state, size_t len,
                     const mqgw_position* next, uint32_t n) {
    auto* r = static_cast<RemoteState*>(arg);
    r->status = status;
    if (state) r->state.assign(state, state + len);
    if (next) r->next.assign(next, next + n);
    postTo<RemoteState, &Router::adoptRemote>(r->worker, r);
  };
  if (claim(s->clientId, take, answered, r) == 1) {
    *present = true;
    s->transferPending = s->resumePending = true;
    return;
  }
  delete r;
  if (s->persistent())
    persist(s);
  else if (!take)
    storage().deleteSession(s->clientId);  // a clean start ends the session other nodes kept
}

void Router::announceClaim(Session* s) { claim(s->clientId, false, nullptr, nullptr); }

void Router::adoptRemote(RemoteState* arg) {
  std::unique_ptr<RemoteState> r(arg);
  Session* s = findSession(r->sessionId);
  if (!s || s->movedAway) return;  // the client left meanwhile; the stored state stays
  std::optional<router::SessionRecord> record;
  if (r->status == MQGW_OK) record = router::decodeSessionRecord(r->state.data(), r->state.size());
  if (record)
    for (auto& sub : record->subscriptions) {
      bool known = false;
      for (auto& mine : s->subs()) known = known || mine.filter == sub.filter;
      if (!known) subscribe(s, sub.filter, sub.options);
    }
  s->cursor = std::make_unique<SessionCursor>();
  s->cursor->replayFrom = r->next;  // live messages the previous node saw settled are skipped
  if (s->persistent()) {
    persist(s);  // this node owns the stored session from now on
    markCursorDirty(s);
  } else {
    storage().deleteSession(s->clientId);  // resumed with a zero expiry: it ends here
  }
  // Replay [its cursor, where this worker's live feed stands) per partition: every message
  // from there on reaches the session live, since it is subscribed now.
  std::vector<mqgw_position> from, to;
  for (const mqgw_position& p : r->next) {
    uint64_t end = UINT64_MAX;  // not fed here yet: up to where the node's feed began
    for (const mqgw_position& f : nextFed_)
      if (f.partition == p.partition) end = f.offset;
    if (p.offset >= end) continue;
    from.push_back(p);
    to.push_back({p.partition, end});
  }
  if (!record || from.empty()) return finishRemoteAdopt(s->id, MQGW_OK);
  replaying_[s->id];
  uint64_t target = StorageBinding::sessionTarget(worker_.index(), s->id);
  auto done = [](void* arg, int status) {
    storage().feedSessionDone(reinterpret_cast<uintptr_t>(arg), status);
  };
  int rc = storage().ops()->session_replay(storage().backend(), from.data(), to.data(),
                                           static_cast<uint32_t>(from.size()), target, done,
                                           reinterpret_cast<void*>(static_cast<uintptr_t>(target)));
  if (rc != MQGW_OK) finishRemoteAdopt(s->id, rc);
}

void Router::toReplayTarget(uint64_t target, mqgw_message* msg, int status) {
  struct Item {
    uint64_t sessionId;
    mqgw_message* msg;  // holds a ref; null for the end
    int status;
  };
  auto* item = new Item{target & ((uint64_t{1} << 56) - 1), msg, status};
  if (msg) message::ref(msg);
  auto task = [](void* arg) {
    std::unique_ptr<Item> it(static_cast<Item*>(arg));
    if (Worker* w = Worker::current()) {
      if (it->msg)
        w->router().takeReplayed(it->sessionId, it->msg);
      else
        w->router().finishRemoteAdopt(it->sessionId, it->status);
    }
    if (it->msg) message::unref(it->msg);
  };
  if (!Gateway::get().worker(static_cast<uint32_t>(target >> 56)).post(task, item)) {
    if (msg) message::unref(msg);
    delete item;
  }
}

bool Router::deliveryFor(Session* s, const mqgw_message* msg, mqgw_delivery* d,
                         std::vector<uint32_t>& ids) const {
  std::string_view topic(msg->view.topic.ptr, msg->view.topic.len);
  std::string_view publisher(msg->view.publisher_id.ptr, msg->view.publisher_id.len);
  bool any = false, retainAsPublished = false;
  ids.clear();
  for (const Subscription& sub : s->subs()) {
    // $share members got theirs from their group when the message was new.
    if (router::isShared(sub.filter) || !auth::filterMatches(sub.filter, topic)) continue;
    if (sub.options.no_local && tenancy::clientView(s->clientId) == publisher) continue;
    if (auth::subscribeFiltered(sub.filter) && !auth::topicReadable(topic)) continue;
    d->qos = std::max<uint8_t>(any ? d->qos : 0, std::min<uint8_t>(msg->view.qos, sub.options.qos));
    if (sub.options.subscription_id) ids.push_back(sub.options.subscription_id);
    retainAsPublished = retainAsPublished || sub.options.retain_as_published;
    any = true;
  }
  d->retain = retainAsPublished && msg->view.retain ? 1 : 0;
  d->subscription_id = ids.empty() ? 0 : ids[0];
  return any;
}

void Router::takeReplayed(uint64_t sessionId, mqgw_message* msg) {
  auto it = replaying_.find(sessionId);
  Session* s = findSession(sessionId);
  if (it == replaying_.end() || !s || !msg->hasPos) return;
  if (s->cursor && s->cursor->skipOnReplay(msg->pos)) return;
  mqgw_delivery d{};
  d.struct_size = sizeof d;
  if (!deliveryFor(s, msg, &d, subscriptionIds_) || d.qos == 0) return;
  if (s->cursor) track(s, msg);
  message::ref(msg);
  it->second.push_back({msg, d.qos, d.retain, d.subscription_id});
}

void Router::finishRemoteAdopt(uint64_t sessionId, int status) {
  std::vector<QueuedDelivery> replayed;
  if (auto it = replaying_.find(sessionId); it != replaying_.end()) {
    replayed = std::move(it->second);
    replaying_.erase(it);
  }
  Session* s = findSession(sessionId);
  if (!s) {
    for (auto& q : replayed) message::unref(q.msg);
    return;
  }
  if (status != MQGW_OK)
    spdlog::warn("storage '{}': replaying the messages session '{}' had not settled failed ({}); "
                 "it resumes without them", storage().name(), s->clientId, status);
  // What the previous node owed comes first, then whatever arrived live meanwhile; the queue
  // keeps its bound by dropping the oldest, as an offline queue does.
  if (!replayed.empty()) {
    SessionBacklog& b = s->owed();
    std::deque<QueuedDelivery> live = std::move(b.queue);
    size_t liveBytes = b.queueBytes;
    b.queue.clear();
    b.queueBytes = 0;
    mqgw_delivery d{};
    d.struct_size = sizeof d;
    for (auto& q : replayed) {
      d.qos = q.qos;
      d.retain = q.retain;
      d.subscription_id = q.subscriptionId;
      enqueue(s, q.msg, d);
      message::unref(q.msg);
    }
    for (auto& q : live) b.queue.push_back(q);  // refs move with them
    b.queueBytes += liveBytes;
  }
  s->transferPending = false;
  if (s->conn && s->resumeRequested) doResume(s);
}

void Router::onClaimedElsewhere(std::string clientId, bool takeState, uint64_t claim) {
  auto owner = Gateway::get().sessions().find(clientId);
  if (!owner) {
    if (takeState) releaseNothing(clientId, claim);
    return;
  }
  auto* r = new Release{std::move(clientId), owner->sessionId, takeState, claim};
  postTo<Release, &Router::releaseToNode>(owner->worker, r);
}

void Router::releaseToNode(Release* arg) {
  std::unique_ptr<Release> r(arg);
  Session* s = findSession(r->sessionId);
  // The backend reports only claims newer than this node's own claim of the Client ID.
  if (!s || s->movedAway || s->clientId != r->clientId) {
    if (r->takeState) releaseNothing(r->clientId, r->claim);
    return;
  }
  std::vector<uint8_t> state;
  std::vector<mqgw_position> next;
  if (r->takeState && s->persistent()) {
    router::SessionRecord rec;
    rec.expiryIntervalS = s->expiryIntervalS;
    if (s->subscriptions) rec.subscriptions = *s->subscriptions;
    state = router::encodeSessionRecord(rec);
    // Per partition: the first message it has not settled, else everything routed here so far.
    if (s->cursor) s->cursor->next(next);
    for (const mqgw_position& f : nextFed_)
      if (std::none_of(next.begin(), next.end(),
                       [&](const mqgw_position& p) { return p.partition == f.partition; }))
        next.push_back(f);
  }
  if (s->subscriptions)
    for (auto& sub : *s->subscriptions) removeSubscription(s, sub.filter);
  s->subscriptions.reset();
  Gateway::get().sessions().release(s->clientId, s->id);
  if (!r->takeState) publishWill(s);  // a clean start elsewhere ends this session
  s->stored = false;  // the claiming node writes the stored state from now on
  s->cursor.reset();
  if (s->conn) {
    s->movedAway = true;  // its frontend's session_close only frees it
    s->conn->kick(MQGW_CLOSE_TAKEOVER);
  } else {
    destroySession(s);
  }
  if (!r->takeState) return;
  int rc = storage().ops()->session_release(storage().backend(), r->claim,
                                            {r->clientId.data(), r->clientId.size()},
                                            state.data(), state.size(), next.data(),
                                            static_cast<uint32_t>(next.size()));
  if (rc != MQGW_OK)
    spdlog::warn("storage '{}': handing session '{}' to another node failed ({})",
                 storage().name(), r->clientId, rc);
}

}  // namespace mqgw
