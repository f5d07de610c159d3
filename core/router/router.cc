#include "router/router.h"

#include <algorithm>

#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "metrics/metrics.h"
#include "net/connection.h"

namespace mqgw {

Router::~Router() = default;

Worker* Router::peer(uint32_t index) const { return &Gateway::get().worker(index); }

Session* Router::createSession(const std::string& clientId, Connection* c) {
  uint64_t id = Gateway::get().nextSessionId();
  auto [it, inserted] = sessions_.try_emplace(id, id, clientId, worker_, c);
  return &it->second;
}

Session* Router::findSession(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void Router::destroySession(Session* s) {
  if (s->subscriptions)
    for (auto& sub : *s->subscriptions) removeFromTree(s, sub.filter);
  s->subscriptions.reset();
  s->conn = nullptr;
  // A delivery may close a connection and end its session mid-fan-out: free it afterwards.
  if (routing_)
    graveyard_.push_back(s->id);
  else
    sessions_.erase(s->id);
}

int Router::subscribe(Session* s, std::string_view filter, const mqgw_sub_options& o) {
  mqgw_sub_options granted = o;
  if (granted.qos > 2) granted.qos = 2;
  SubscriberList& list = tree_.insertOrGet(filter);
  auto it = std::find_if(list.begin(), list.end(), [&](auto& x) { return x.session == s; });
  if (it != list.end()) {
    it->options = granted;  // a repeated SUBSCRIBE replaces the options
    for (auto& sub : s->subs())
      if (sub.filter == filter) sub.options = granted;
  } else {
    list.push_back({s, granted});
    s->subs().push_back({std::string(filter), granted});
  }
  return granted.qos;
}

int Router::unsubscribe(Session* s, std::string_view filter) {
  auto& subs = s->subs();
  auto it = std::find_if(subs.begin(), subs.end(), [&](auto& x) { return x.filter == filter; });
  if (it == subs.end()) return MQGW_E_NOT_FOUND;
  subs.erase(it);
  removeFromTree(s, filter);
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
  std::string_view topic(v.topic.ptr, v.topic.len);
  std::string_view publisher(v.publisher_id.ptr, v.publisher_id.len);
  matches_.clear();
  tree_.match(topic, [&](SubscriberList& list) {
    for (auto& sub : list) {
      if (sub.options.no_local && sub.session->clientId == publisher) continue;
      uint8_t qos = std::min<uint8_t>(v.qos, sub.options.qos);
      matches_.push_back({sub.session, qos, sub.options.subscription_id});
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
    for (size_t k = i; k < end; ++k)
      if (matches_[k].subscriptionId) subscriptionIds_.push_back(matches_[k].subscriptionId);
    if (s->conn) {
      mqgw_delivery d{};
      d.struct_size = sizeof d;
      d.qos = matches_[i].qos;
      d.subscription_id = subscriptionIds_.empty() ? 0 : subscriptionIds_[0];
      d.subscription_ids = subscriptionIds_.data();
      d.subscription_id_count = static_cast<uint32_t>(subscriptionIds_.size());
      s->conn->deliver(msg, d);
      ++delivered;
    }
    i = end;
  }
  routing_ = false;
  for (uint64_t id : graveyard_) sessions_.erase(id);
  graveyard_.clear();
  metrics::add(metrics::core().messagesRouted, delivered);
}

}  // namespace mqgw
