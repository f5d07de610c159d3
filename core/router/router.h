// The per-worker router: a topic tree of this worker's subscriptions, the sessions attached to
// this worker, and the fan-out of a stored message to every worker (batched message passing —
// no lock is held across a fan-out). See docs/decisions/0001-threading.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "router/session.h"
#include "router/topic_tree.h"

namespace mqgw {

class Worker;

struct Subscriber {
  Session* session;
  mqgw_sub_options options;
};
using SubscriberList = std::vector<Subscriber>;

class Router {
 public:
  explicit Router(Worker& w) : worker_(w) {}
  ~Router();

  Worker* peer(uint32_t index) const;

  Session* createSession(const std::string& clientId, Connection* c);
  Session* findSession(uint64_t id);
  void destroySession(Session* s);  // removes its subscriptions and forgets it

  int subscribe(Session* s, std::string_view filter, const mqgw_sub_options& o);
  int unsubscribe(Session* s, std::string_view filter);

  // A stored message: deliver here and hand one reference to every other worker.
  void route(mqgw_message* msg);
  // Deliver to this worker's matching sessions only.
  void routeLocal(mqgw_message* msg);

 private:
  bool removeFromTree(Session* s, std::string_view filter);

  Worker& worker_;
  router::TopicTree<SubscriberList> tree_;
  std::unordered_map<uint64_t, Session> sessions_;  // node-based: Session addresses are stable
  struct Match {
    Session* session;
    uint8_t qos;
    uint32_t subscriptionId;
  };
  std::vector<Match> matches_;  // scratch, reused per message
  std::vector<uint32_t> subscriptionIds_;  // scratch: one session's matching identifiers
  bool routing_ = false;
  std::vector<uint64_t> graveyard_;  // ids of sessions ended during a fan-out
};

}  // namespace mqgw
