// CONNECT admission: the console's AccessKey modes for its instances, or the development
// instance for anyone else when it is enabled.
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "metrics/metrics.h"
#include "tenancy/namespace.h"
#include "tenancy/tenancy.h"

namespace mqgw::tenancy {
namespace {

struct State {
  std::unique_ptr<resources::Registry> registry;
  Settings settings;
  uint32_t refused = 0, overConnections = 0;
};
State& state() {
  static State s;
  return s;
}

int refuse(const char** reason, int status, std::string text) {
  thread_local std::string kept;
  kept = std::move(text);
  *reason = kept.c_str();
  metrics::add(state().refused, 1);
  return status;
}

int statusOf(resources::Refusal r) {
  switch (r) {
    case resources::Refusal::BadClientId: return MQGW_E_BAD_CLIENT_ID;
    case resources::Refusal::BadCredentials: return MQGW_E_BAD_CREDENTIALS;
    case resources::Refusal::NotAuthorized: return MQGW_E_DENIED;
    case resources::Refusal::Unavailable: return MQGW_E_UNAVAILABLE;
    case resources::Refusal::None: break;
  }
  return MQGW_OK;
}

}  // namespace

void TenantDeleter::operator()(Tenant* t) const {
  if (t && t->instance) t->instance->disconnect();
  delete t;
}

void init(std::unique_ptr<resources::Registry> registry, const Settings& s) {
  State& st = state();
  st.settings = s;
  st.refused = metrics::registerMetric("mqgw_console_connects_refused_total",
                                       "CONNECTs refused by console admission", false);
  st.overConnections = metrics::registerMetric(
      "mqgw_console_connection_limit_total",
      "CONNECTs refused because the instance was at its MaxConnections", false);
  st.registry = std::move(registry);
  if (!st.registry) return;
  for (const resources::InstanceViewPtr& v : st.registry->views())
    runtimeFor(v->instance.id, s.workers)->update(v);
  st.registry->onInstanceChanged([workers = s.workers](const resources::InstanceViewPtr& v) {
    InstanceRuntime* rt = runtimeFor(v->instance.id, workers);
    rt->update(v);
    if (v->instance.status != resources::InstanceStatus::Ready) closeConnectionsOf(rt);
  });
}

resources::Registry* registry() { return state().registry.get(); }
const Settings& settings() { return state().settings; }

int admit(const mqgw_session_params& p, std::string* key,
          std::unique_ptr<Tenant, TenantDeleter>* tenant, const char** reason) {
  *reason = nullptr;
  State& st = state();
  std::string_view id(p.client_id.ptr, p.client_id.len);
  std::string_view user(p.username.ptr, p.has_username ? p.username.len : 0);
  if (st.registry && p.has_username && resources::isConsoleUsername(user)) {
    resources::AdmitRequest req;
    req.clientId = id;
    req.username = user;
    req.password = {p.password.ptr, p.has_password ? p.password.len : 0};
    req.hasPassword = p.has_password != 0;
    req.nowMs = static_cast<int64_t>(clock::wallMs());
    resources::Admission a = st.registry->admit(req);
    if (a.refusal != resources::Refusal::None)
      return refuse(reason, statusOf(a.refusal), std::move(a.reason));
    InstanceRuntime* rt = runtimeFor(a.view->instance.id, st.settings.workers);
    if (!rt->view(InstanceRuntime::kAnyThread)) rt->update(a.view);
    if (!rt->tryConnect(a.view->instance.spec.maxConnections)) {
      metrics::add(st.overConnections, 1);
      return refuse(reason, MQGW_E_QUOTA,
                    "instance " + rt->id() + " is at its limit of " +
                        std::to_string(a.view->instance.spec.maxConnections) + " connections");
    }
    tenant->reset(new Tenant{rt, a.mode, std::move(a.grants), st.registry->generation()});
    *key = rt->prefix();
    key->append(id);
    return MQGW_OK;
  }
  if (!st.settings.developmentInstance)
    return refuse(reason, MQGW_E_BAD_CREDENTIALS,
                  "log in with an instance's AccessKey: username Signature|<AccessKeyId>|"
                  "<InstanceId> (docs/quickstart.md)");
  if (reservedName(id))
    return refuse(reason, MQGW_E_BAD_CLIENT_ID, "Client IDs starting with $i/ are reserved");
  key->assign(id);
  return MQGW_OK;
}

}  // namespace mqgw::tenancy
