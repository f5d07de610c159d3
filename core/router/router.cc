#include "router/router.h"
#include "router/topic_rules.h"
#include "auth/topic_acl.h"

#include <algorithm>

#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"
#include "tenancy/namespace.h"

namespace mqgw {

Router::~Router() {
  for (auto& p : pendingRetained_) message::unref(p.msg);
}

Worker* Router::peer(uint32_t index) const { return &Gateway::get().worker(index); }

Session* Router::createSession(const std::string& clientId, Connection* c) {
  uint64_t id = Gateway::get().nextSessionId();
  auto [it, inserted] = sessions_.try_emplace(id, id, clientId, c);
  return &it->second;
}

Session* Router::findSession(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void Router::destroySession(Session* s) {
  if (s->subscriptions)
    for (auto& sub : *s->subscriptions) removeSubscription(s, sub.filter);
  s->subscriptions.reset();
  s->conn = nullptr;
  // A delivery may close a connection and end its session mid-fan-out: free it afterwards.
  if (routing_)
    graveyard_.push_back(s->id);
  else
    sessions_.erase(s->id);
}

int Router::subscribe(Session* s, std::string_view filter, const mqgw_sub_options& o,
                      bool fromSubscribePacket) {
  if (router::isShared(filter)) {
    int rc = subscribeShared(s, filter, o);
    if (fromSubscribePacket && rc >= 0) persist(s);
    return rc;
  }
  mqgw_sub_options granted = o;
  if (granted.qos > 2) granted.qos = 2;
  SubscriberList& list = tree_.insertOrGet(filter);
  auto it = std::find_if(list.begin(), list.end(), [&](auto& x) { return x.session == s; });
  const bool existed = it != list.end();
  if (existed) {
    it->options = granted;  // a repeated SUBSCRIBE replaces the options
    for (auto& sub : s->subs())
      if (sub.filter == filter) sub.options = granted;
  } else {
    list.push_back({s, granted, auth::subscribeFiltered(filter)});
    s->subs().push_back({std::string(filter), granted});
  }
  if (fromSubscribePacket) persist(s);
  // Retain Handling (MQTT 5 §3.3.1.3): 0 always, 1 only for a new subscription, 2 never.
  if (fromSubscribePacket &&
      (granted.retain_handling == 0 || (granted.retain_handling == 1 && !existed)))
    queueRetained(s, filter, granted);
  return granted.qos;
}

int Router::unsubscribe(Session* s, std::string_view filter) {
  auto& subs = s->subs();
  auto it = std::find_if(subs.begin(), subs.end(), [&](auto& x) { return x.filter == filter; });
  if (it == subs.end()) return MQGW_E_NOT_FOUND;
  std::string removed = std::move(it->filter);
  subs.erase(it);
  removeSubscription(s, removed);
  persist(s);
  return MQGW_OK;
}

bool Router::removeFromTree(Session* s, std::string_view filter) {
  bool found = false;
  tree_.removeIf(filter, [&](SubscriberList& list) {
    found = std::erase_if(list, [&](auto& x) { return x.session == s; }) > 0;
    return list.empty();  // prune the node once its last subscriber is gone
  });
  return found;
}

void Router::route(mqgw_message* msg) {
  // Shared groups pick one member here, on the one worker that routes this message — unless
  // the nodes of a cluster split them (routeShared).
  if (!shared_.empty() && !Gateway::get().storage().clustered()) {
    std::string_view topic(msg->view.topic.ptr, msg->view.topic.len);
    shared_.pick(topic, [&](const router::SharedGroup& g, const router::SharedMember& m) {
      if (g.filtered && !auth::topicReadable(topic)) return;
      dispatchShared(msg, g, m, 0);
    });
  }
  auto& gw = Gateway::get();
  uint32_t n = gw.workerCount();
  for (uint32_t i = 0; i < n; ++i) {
    if (i == worker_.index()) continue;
    message::ref(msg);
    worker_.forward(i, msg);
  }
  routeLocal(msg);
}

void Router::routeLocal(mqgw_message* msg) {
  const mqgw_message_view& v = msg->view;
  if (msg->hasPos) noteFed(msg);
  if (routeP2P(msg)) return;
  if (v.retain && (retainedAhead_.empty() || !olderThanAhead(msg))) updateRetained(msg);
  std::string_view topic(v.topic.ptr, v.topic.len);
  std::string_view publisher(v.publisher_id.ptr, v.publisher_id.len);
  matches_.clear();
  int readable = -1;  // the ACL's verdict on this topic, asked once and only if needed
  tree_.match(topic, [&](SubscriberList& list) {
    for (auto& sub : list) {
      if (sub.options.no_local && tenancy::clientView(sub.session->clientId) == publisher)
        continue;
      if (sub.filtered) {
        if (readable < 0) readable = auth::topicReadable(topic) ? 1 : 0;
        if (!readable) continue;
      }
      uint8_t qos = std::min<uint8_t>(v.qos, sub.options.qos);
      matches_.push_back({sub.session, qos, sub.options.subscription_id,
                          sub.options.retain_as_published != 0});
    }
  });
  if (matches_.empty()) return;
  // Overlapping subscriptions of one session: deliver once, at the highest granted QoS, with
  // every matching subscription identifier (MQTT 5 3.3.4-3).
  if (matches_.size() > 1)
    std::sort(matches_.begin(), matches_.end(), [](const Match& a, const Match& b) {
      return a.session != b.session ? a.session < b.session : a.qos > b.qos;
    });
  int64_t delivered = 0;
  routing_ = true;
  for (size_t i = 0; i < matches_.size();) {
    size_t end = i + 1;
    while (end < matches_.size() && matches_[end].session == matches_[i].session) ++end;
    Session* s = matches_[i].session;
    subscriptionIds_.clear();
    bool retainAsPublished = false;
    for (size_t k = i; k < end; ++k) {
      if (matches_[k].subscriptionId) subscriptionIds_.push_back(matches_[k].subscriptionId);
      retainAsPublished = retainAsPublished || matches_[k].retainAsPublished;
    }
    {
      mqgw_delivery d{};
      d.struct_size = sizeof d;
      d.qos = matches_[i].qos;
      d.retain = retainAsPublished && v.retain ? 1 : 0;  // a live message, not a retained one
      d.subscription_id = subscriptionIds_.empty() ? 0 : subscriptionIds_[0];
      d.subscription_ids = subscriptionIds_.data();
      d.subscription_id_count = static_cast<uint32_t>(subscriptionIds_.size());
      deliverToSession(s, msg, d);  // or its queue while the client is away
      ++delivered;
    }
    i = end;
  }
  routing_ = false;
  for (uint64_t id : graveyard_) sessions_.erase(id);
  graveyard_.clear();
  metrics::add(metrics::core().messagesRouted, delivered);
}

void Router::updateRetained(mqgw_message* msg) {
  // Every worker keeps the same store; only worker 0 reports it, so the gauge (a sum over
  // threads) is the number of retained topics, not workers × topics.
  static const uint32_t gauge = metrics::registerMetric(
      "mqgw_retained_messages", "Retained messages (topics with a retained message)", true);
  int delta = retained_.update(msg);
  if (delta != 0 && worker_.index() == 0) metrics::add(gauge, delta);
}

void Router::queueRetained(Session* s, std::string_view filter,
                           const mqgw_sub_options& granted) {
  size_t before = pendingRetained_.size();
  const bool filtered = auth::subscribeFiltered(filter);
  retained_.match(filter, [&](mqgw_message* m) {
    if (filtered && !auth::topicReadable({m->view.topic.ptr, m->view.topic.len})) return;
    mqgw_delivery d{};
    d.struct_size = sizeof d;
    d.qos = std::min<uint8_t>(m->view.qos, granted.qos);
    d.retain = 1;  // sent because of the subscription: always flagged (§3.3.1.3)
    d.subscription_id = granted.subscription_id;
    message::ref(m);
    pendingRetained_.push_back({s->id, m, d});
  });
  if (pendingRetained_.size() == before || retainedFlushPosted_) return;
  retainedFlushPosted_ = worker_.post(flushRetainedTask, this);
  if (!retainedFlushPosted_) {  // the worker is stopping: nobody to send them to
    for (size_t i = before; i < pendingRetained_.size(); ++i)
      message::unref(pendingRetained_[i].msg);
    pendingRetained_.resize(before);
  }
}

void Router::flushRetainedTask(void* self) { static_cast<Router*>(self)->flushRetained(); }

void Router::flushRetained() {
  retainedFlushPosted_ = false;
  std::vector<PendingRetained> batch;
  batch.swap(pendingRetained_);
  for (auto& p : batch) {
    Session* s = findSession(p.sessionId);  // it may have ended since SUBSCRIBE
    if (s) {
      mqgw_delivery d = p.delivery;
      d.subscription_ids = d.subscription_id ? &p.delivery.subscription_id : nullptr;
      d.subscription_id_count = d.subscription_id ? 1 : 0;
      deliverToSession(s, p.msg, d, /*fresh=*/false);
    }
    message::unref(p.msg);
  }
}

}  // namespace mqgw
