#include "gateway/api_runtime.h"

#include <atomic>

#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "resources/crypto.h"
#include "resources/topic_policy.h"
#include "tenancy/namespace.h"
#include "tenancy/tenancy.h"

namespace mqgw {
namespace {

// One SendMessage on its way: posted to a worker, stored, routed, answered.
struct Send {
  mqgw_message* msg;
  api::SendDone done;
};

void sendDone(void* arg, int status) {
  auto* s = static_cast<Send*>(arg);
  const auto* id = reinterpret_cast<const char*>(s->msg->view.id);
  s->done(status, status == MQGW_OK ? crypto::hex({id, sizeof s->msg->view.id}) : "");
  message::unref(s->msg);
  delete s;
}

void sendOnWorker(void* arg) {
  auto* s = static_cast<Send*>(arg);
  int rc = Gateway::get().storage().publishFromServer(s->msg, sendDone, s);
  if (rc != MQGW_OK) sendDone(s, rc);
}

std::string transportOf(const std::vector<std::string>& stack) {
  bool tls = false, ws = false;
  for (const std::string& layer : stack) {
    if (layer == "flash-policy") return "flash-policy";
    tls |= layer == "tls";
    ws |= layer == "websocket";
  }
  if (stack.empty() || stack.back() != "mqtt") return "";
  return ws ? (tls ? "wss" : "ws") : (tls ? "tls" : "tcp");
}

std::string websocketPath(const config::Listener& l) {
  for (const config::PluginSection& s : l.sections)
    if (s.plugin == "websocket" && s.node.IsMap() && s.node["path"])
      return s.node["path"].as<std::string>("/mqtt");
  return "/mqtt";
}

std::string withInstance(std::string host, const std::string& id) {
  for (size_t at; (at = host.find("{instance}")) != std::string::npos;)
    host.replace(at, 10, id);
  return host;
}

}  // namespace

ApiRuntime::ApiRuntime(const config::Config& cfg, const std::vector<uint16_t>& boundPorts) {
  const config::Tenancy t = cfg.tenancy.value_or(config::Tenancy{});
  for (size_t i = 0; i < cfg.listeners.size() && i < boundPorts.size(); ++i) {
    const config::Listener& l = cfg.listeners[i];
    std::string transport = transportOf(l.stack);
    if (transport.empty()) continue;
    points_.push_back({transport, l.name, boundPorts[i],
                       transport == "ws" || transport == "wss" ? websocketPath(l) : "",
                       t.publicHost, t.privateHost});
  }
}

void ApiRuntime::sendMessage(const api::SendRequest& r, api::SendDone done) {
  resources::Registry* reg = tenancy::registry();
  resources::InstanceViewPtr view = reg ? reg->view(r.instanceId) : nullptr;
  if (!view) return done(MQGW_E_NOT_FOUND, "");
  if (view->instance.status != resources::InstanceStatus::Ready) return done(MQGW_E_DENIED, "");
  if (!resources::checkTopicName(*view, r.topic, tenancy::settings().maxTopicLength).empty())
    return done(MQGW_E_INVAL, "");
  if (r.payload.size() > view->instance.spec.maxMessageSize) return done(MQGW_E_TOO_LARGE, "");
  std::string topic = tenancy::prefixOf(r.instanceId) + r.topic;
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {topic.data(), topic.size()};
  v.payload = {r.payload.data(), r.payload.size()};
  v.qos = r.qos;
  v.retain = r.retain ? 1 : 0;
  auto* s = new Send{message::create(v), std::move(done)};
  Gateway& gw = Gateway::get();
  uint32_t w = nextWorker_++ % gw.workerCount();
  if (!gw.worker(w).post(sendOnWorker, s)) sendDone(s, MQGW_E_UNAVAILABLE);
}

std::vector<api::SessionStatus> ApiRuntime::sessionStatus(const std::string& instanceId,
                                                          const std::vector<std::string>& ids) {
  std::vector<api::SessionStatus> out;
  const std::string prefix = tenancy::prefixOf(instanceId);
  for (const std::string& id : ids) {
    auto owner = Gateway::get().sessions().find(prefix + id);
    out.push_back({id, owner && owner->connected});
  }
  return out;
}

std::vector<api::AccessPoint> ApiRuntime::accessPoints(const std::string& instanceId) {
  std::vector<api::AccessPoint> out = points_;
  for (api::AccessPoint& p : out) {
    p.publicEndpoint = withInstance(p.publicEndpoint, instanceId);
    p.privateEndpoint = withInstance(p.privateEndpoint, instanceId);
  }
  return out;
}

}  // namespace mqgw
