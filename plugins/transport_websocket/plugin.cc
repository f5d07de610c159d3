// mqgw-websocket: the transport_ops glue. Each hook runs one WsConnection method inside a
// catch-all (no exception crosses the C ABI) and a reentrancy guard (see WsConnection::enter).
#include <memory>
#include <new>

#include "host.h"
#include "metrics.h"
#include "settings.h"
#include "ws_connection.h"

namespace mqgw::wsplugin {

const mqgw_host_api* gHost = nullptr;

namespace {

template <typename R, typename Body>
R guarded(void* state, R onError, Body body) {
  auto* c = static_cast<WsConnection*>(state);
  c->enter();
  R result = onError;
  try {
    result = body(*c);
  } catch (...) {
    result = onError;
  }
  if (c->leave()) delete c;
  return result;
}

int create(const mqgw_kv* cfg, size_t n, void** instance) {
  try {
    auto s = std::make_unique<Settings>();
    if (int rc = parseSettings(cfg, n, *s); rc != MQGW_OK) return rc;
    registerMetrics();
    *instance = s.release();
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

void destroy(void* instance) { delete static_cast<Settings*>(instance); }

int onOpen(void* instance, mqgw_conn* conn, void** state) {
  try {
    auto c = std::make_unique<WsConnection>(*static_cast<Settings*>(instance), conn);
    if (int rc = c->open(); rc != MQGW_OK) return rc;
    *state = c.release();
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

int onRead(void* state, const uint8_t* data, size_t len) {
  return guarded(state, static_cast<int>(MQGW_E_NOMEM),
                 [&](WsConnection& c) { return c.onRead(data, len); });
}

int onWrite(void* state, const uint8_t* data, size_t len) {
  return guarded(state, static_cast<int>(MQGW_E_NOMEM),
                 [&](WsConnection& c) { return c.onWrite(data, len); });
}

void onShutdown(void* state, int reason) {
  guarded(state, 0, [&](WsConnection& c) {
    c.onShutdown(reason);
    return 0;
  });
}

void onClose(void* state, int reason) {
  (void)reason;
  guarded(state, 0, [&](WsConnection& c) {
    c.onClose();
    return 0;
  });
}

const mqgw_transport_ops kOps = {
    sizeof(mqgw_transport_ops), create, destroy, onOpen, onRead, onWrite, onShutdown, onClose,
    {}};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION,
    sizeof(mqgw_plugin_descriptor),
    kPluginName,
    "0.1.0",
    MQGW_BUILD_SIG,
    MQGW_KIND_TRANSPORT,
    0,  // not secure by itself: wss is [tcp, tls, websocket, mqtt]
    kSchema,
    kSchemaLen,
    &kOps,
    sizeof(mqgw_transport_ops),
    {}};

}  // namespace
}  // namespace mqgw::wsplugin

extern "C" MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* h,
                                                    const mqgw_plugin_descriptor** out) {
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR || !h || !out) return MQGW_E_UNSUPPORTED;
  mqgw::wsplugin::gHost = h;
  *out = &mqgw::wsplugin::kDescriptor;
  return MQGW_OK;
}
