// P2P messages of console instances: "<parent>/p2p/<ClientID>" reaches that client alone, with
// no subscription, at the QoS it was published with — on whichever worker holds the session
// (every worker sees every message; only the owner delivers). Not retained.
#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "net/connection.h"
#include "resources/topic_policy.h"
#include "router/router.h"
#include "tenancy/namespace.h"
#include "tenancy/tenancy.h"

namespace mqgw {

bool Router::routeP2P(mqgw_message* msg) {
  std::string_view topic(msg->view.topic.ptr, msg->view.topic.len);
  size_t prefix = tenancy::prefixLength(topic);
  if (!prefix) return false;  // the development instance has no P2P
  std::optional<std::string_view> target = resources::p2pTarget(topic.substr(prefix));
  if (!target) return false;
  std::string key(topic.substr(0, prefix));
  key.append(*target);
  auto owner = Gateway::get().sessions().find(key);
  if (!owner || owner->worker != worker_.index()) return true;
  Session* s = findSession(owner->sessionId);
  if (!s) return true;
  mqgw_delivery d{};
  d.struct_size = sizeof d;
  d.qos = msg->view.qos;
  deliverToSession(s, msg, d);
  return true;
}

size_t Router::closeInstanceConnections(const tenancy::InstanceRuntime* rt) {
  std::vector<uint64_t> ids;
  for (auto& [id, s] : sessions_)
    if (s.conn && s.tenant && s.tenant->instance == rt) ids.push_back(id);
  size_t kicked = 0;
  for (uint64_t id : ids) {
    Session* s = findSession(id);  // a kick may have ended an earlier one's neighbours
    if (s && s->conn) {
      s->conn->kick(MQGW_CLOSE_ADMIN);
      ++kicked;
    }
  }
  return kicked;
}

}  // namespace mqgw
