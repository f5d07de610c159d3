// Shared subscriptions on the router: membership changes travel to every worker's replica as
// messages; the routing worker picks a member per group and hands the message to the member's
// worker. A member that is gone by then passes the message on to another member (bounded).
#include <spdlog/spdlog.h>

#include "auth/topic_acl.h"
#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "loop/worker.h"
#include "message/message.h"
#include "net/connection.h"
#include "metrics/metrics.h"
#include "router/router.h"
#include "router/topic_rules.h"

namespace mqgw {
namespace {

struct SharedUpdate {
  bool add;
  std::string group, filter;
  router::SharedMember member;
};

struct SharedDelivery {
  mqgw_message* msg;  // holds a ref
  std::string group, filter;
  router::SharedMember member;
  int hops;
};

constexpr int kMaxHops = 4;  // a message chasing members that keep leaving gives up

uint32_t undeliverableMetric() {
  static const uint32_t id = metrics::registerMetric(
      "mqgw_shared_undeliverable_total",
      "Shared-subscription messages dropped: every member picked had gone", false);
  return id;
}

}  // namespace

int Router::subscribeShared(Session* s, std::string_view filter, const mqgw_sub_options& o) {
  std::optional<router::SharedFilter> sf = router::parseShared(filter);
  if (!sf) return MQGW_E_INVAL;
  mqgw_sub_options granted = o;
  if (granted.qos > 2) granted.qos = 2;
  bool known = false;
  for (auto& sub : s->subs()) {
    if (sub.filter == filter) {
      sub.options = granted;
      known = true;
    }
  }
  if (!known) s->subs().push_back({std::string(filter), granted});
  // No retained messages for a shared subscription (MQTT 5 4.8.2).
  broadcastShared(true, filter, {worker_.index(), s->id, granted});
  return granted.qos;
}

void Router::removeSubscription(Session* s, std::string_view filter) {
  if (router::isShared(filter))
    broadcastShared(false, filter, {worker_.index(), s->id, {}});
  else
    removeFromTree(s, filter);
}

void Router::broadcastShared(bool add, std::string_view filter, const router::SharedMember& m) {
  std::optional<router::SharedFilter> sf = router::parseShared(filter);
  if (!sf) return;
  Gateway& gw = Gateway::get();
  for (uint32_t i = 0; i < gw.workerCount(); ++i) {
    if (i == worker_.index()) continue;
    auto* u = new SharedUpdate{add, std::string(sf->group), std::string(sf->filter), m};
    if (!gw.worker(i).post(sharedUpdateTask, u)) delete u;
  }
  applySharedUpdate(add, filter, m);
}

void Router::applySharedUpdate(bool add, std::string_view filter, const router::SharedMember& m) {
  std::optional<router::SharedFilter> sf = router::parseShared(filter);
  if (!sf) return;
  const bool had = shared_.find(sf->group, sf->filter) != nullptr;
  if (add)
    shared_.add(sf->group, sf->filter, m);
  else
    shared_.remove(sf->group, sf->filter, m.worker, m.sessionId);
  // On a clustered backend the nodes split a group's messages: worker 0 tells the backend when
  // this node's first member joins and its last one leaves.
  const bool has = shared_.find(sf->group, sf->filter) != nullptr;
  StorageBinding& storage = Gateway::get().storage();
  if (worker_.index() != 0 || had == has || !storage.clustered()) return;
  mqgw_str group{sf->group.data(), sf->group.size()};
  mqgw_str f{sf->filter.data(), sf->filter.size()};
  int rc = has ? storage.ops()->share_join(storage.backend(), group, f)
               : storage.ops()->share_leave(storage.backend(), group, f);
  if (rc != MQGW_OK)
    spdlog::warn("storage '{}': {} $share/{}/{} failed ({})", storage.name(),
                 has ? "joining" : "leaving", sf->group, sf->filter, rc);
}

void Router::routeShared(std::string_view group, std::string_view filter, mqgw_message* msg) {
  std::string_view topic(msg->view.topic.ptr, msg->view.topic.len);
  router::SharedGroup* g = shared_.find(group, filter);
  if (!g || g->members.empty() || !auth::filterMatches(filter, topic)) {
    if (!g || g->members.empty()) metrics::add(undeliverableMetric(), 1);
    return;  // left before the backend noticed; Kafka hands the partition on after share_leave
  }
  if (g->filtered && !auth::topicReadable(topic)) return;
  const router::SharedMember m = g->members[g->next++ % g->members.size()];
  dispatchShared(msg, *g, m, 0);
}

void Router::sharedUpdateTask(void* arg) {
  std::unique_ptr<SharedUpdate> u(static_cast<SharedUpdate*>(arg));
  std::string full = "$share/" + u->group + "/" + u->filter;
  if (Worker* w = Worker::current()) w->router().applySharedUpdate(u->add, full, u->member);
}

void Router::dispatchShared(mqgw_message* msg, const router::SharedGroup& g,
                            const router::SharedMember& m, int hops) {
  if (m.worker == worker_.index()) return deliverShared(msg, g, m, hops);
  message::ref(msg);
  auto* d = new SharedDelivery{msg, g.name, g.filter, m, hops};
  if (!Gateway::get().worker(m.worker).post(sharedDeliveryTask, d)) {
    message::unref(msg);
    delete d;
  }
}

void Router::sharedDeliveryTask(void* arg) {
  std::unique_ptr<SharedDelivery> d(static_cast<SharedDelivery*>(arg));
  router::SharedGroup g{d->group, d->filter, {}, 0, false};
  if (Worker* w = Worker::current()) w->router().deliverShared(d->msg, g, d->member, d->hops);
  message::unref(d->msg);
}

void Router::deliverShared(mqgw_message* msg, const router::SharedGroup& g,
                           const router::SharedMember& m, int hops) {
  Session* s = findSession(m.sessionId);
  if (s && !s->movedAway && busy(s) && hops < kMaxHops) {
    // Skip a member whose queue is full while another one can take the message.
    if (const router::SharedMember* other = shared_.another(g.name, g.filter, m.worker, m.sessionId)) {
      router::SharedMember copy = *other;
      return dispatchShared(msg, g, copy, hops + 1);
    }
  }
  if (s && !s->movedAway) {
    mqgw_delivery d{};
    d.struct_size = sizeof d;
    d.qos = std::min<uint8_t>(msg->view.qos, m.options.qos);
    d.subscription_id = m.options.subscription_id;
    d.subscription_ids = d.subscription_id ? &m.options.subscription_id : nullptr;
    d.subscription_id_count = d.subscription_id ? 1 : 0;
    deliverToSession(s, msg, d);
    metrics::add(metrics::core().messagesRouted, 1);
    return;
  }
  // The member left after it was picked: another member of the group takes the message.
  const router::SharedMember* next =
      hops < kMaxHops ? shared_.another(g.name, g.filter, m.worker, m.sessionId) : nullptr;
  if (!next) {
    metrics::add(undeliverableMetric(), 1);
    return;
  }
  router::SharedMember copy = *next;
  dispatchShared(msg, g, copy, hops + 1);
}

bool Router::busy(Session* s) const {
  if (s->conn) return s->conn->pendingOut() > limits().max_outbound_bytes;
  return s->backlog && s->backlog->queue.size() >= coreLimits().sessionQueueMessages;
}

bool Router::hasShared(const Session* s) const {
  if (!s->subscriptions) return false;
  for (const auto& sub : *s->subscriptions)
    if (router::isShared(sub.filter)) return true;
  return false;
}

// A member whose session ends hands what it still owed to the rest of its groups: messages it
// never got (queued) and QoS 1 messages it never acknowledged.
void Router::redistributeShared(Session* s) {
  if (!s->backlog || !s->subscriptions) return;
  auto handOn = [&](mqgw_message* msg) {
    std::string_view topic(msg->view.topic.ptr, msg->view.topic.len);
    for (const auto& sub : *s->subscriptions) {
      std::optional<router::SharedFilter> sf = router::parseShared(sub.filter);
      if (!sf || !auth::filterMatches(sf->filter, topic)) continue;
      const router::SharedMember* next = shared_.another(sf->group, sf->filter, worker_.index(), s->id);
      if (!next) continue;
      router::SharedGroup g{std::string(sf->group), std::string(sf->filter), {}, 0, false};
      router::SharedMember copy = *next;
      dispatchShared(msg, g, copy, 1);
      return;  // one member of one group: the message was picked once for this session
    }
  };
  // A QoS 2 message whose delivery had begun must not go to anyone else (MQTT 5 4.8.2-5);
  // QoS 1 in flight and anything still queued should (4.8.2-6).
  for (const mqgw_parked& p : s->backlog->parked)
    if (p.state == MQGW_PARKED_QUEUED || (p.state == MQGW_PARKED_SENT && p.qos < 2)) handOn(p.msg);
  for (const QueuedDelivery& q : s->backlog->queue) handOn(q.msg);
}

}  // namespace mqgw
