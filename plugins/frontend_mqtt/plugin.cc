// The plugin's face to the core: entry point, descriptor, config schema and the ops table.
// Every hook is a C function that ends in a catch-all, since no C++ exception may cross the
// ABI, and brackets the connection with enter()/leave() (see connection.h).
#include <memory>

#include "config.h"
#include "connection.h"
#include "host.h"
#include "metrics.h"

namespace mqgw::mqttfe {

const mqgw_host_api* gHost = nullptr;

namespace {

struct Instance {
  FrontendConfig cfg;
};

// Runs `body` on the connection behind `state`; frees it once it is closed and no hook is on
// the stack any more.
template <typename R, typename F>
R guarded(void* state, R onError, F&& body) {
  auto* c = static_cast<MqttConnection*>(state);
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
    auto inst = std::make_unique<Instance>();
    if (int rc = parseConfig(cfg, n, inst->cfg); rc != MQGW_OK) return rc;
    registerMetrics();
    *instance = inst.release();
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

void destroy(void* instance) { delete static_cast<Instance*>(instance); }

int onOpen(void* instance, mqgw_conn* conn, void** state) {
  try {
    auto* c = new MqttConnection(static_cast<Instance*>(instance)->cfg, conn);
    c->open();
    *state = c;
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

long onData(void* state, const uint8_t* data, size_t len) {
  return guarded<long>(state, MQGW_E_NOMEM,
                       [&](MqttConnection& c) { return c.onData(data, len); });
}

void onClose(void* state, int reason) {
  guarded<int>(state, 0, [&](MqttConnection& c) {
    c.onClose(reason);
    return 0;
  });
}

void onDrain(void* state) {
  guarded<int>(state, 0, [](MqttConnection& c) {
    c.onDrain();
    return 0;
  });
}

void onTimeout(void* state) {
  guarded<int>(state, 0, [](MqttConnection& c) {
    c.onTimeout();
    return 0;
  });
}

int onDeliver(void* state, mqgw_message* msg, const mqgw_delivery* d) {
  if (!msg || !d) return MQGW_E_INVAL;
  return guarded<int>(state, MQGW_E_NOMEM,
                      [&](MqttConnection& c) { return c.onDeliver(msg, *d); });
}

void onPublishDone(void* state, uint64_t cookie, int status) {
  guarded<int>(state, 0, [&](MqttConnection& c) {
    c.onPublishDone(cookie, status);
    return 0;
  });
}

void onKick(void* state, int reason) {
  guarded<int>(state, 0, [&](MqttConnection& c) {
    c.onKick(reason);
    return 0;
  });
}

void onResume(void* state, const mqgw_parked* owed, uint32_t n, const uint16_t* ids,
              uint32_t nIds) {
  guarded<int>(state, 0, [&](MqttConnection& c) {
    c.onResume(owed, n, ids, nIds);
    return 0;
  });
}

const mqgw_frontend_ops kOps = {
    sizeof(mqgw_frontend_ops),
    create,
    destroy,
    onOpen,
    onData,
    onClose,
    onDrain,
    onTimeout,
    onDeliver,
    onPublishDone,
    onKick,
    onResume,
    {},
};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION,
    sizeof(mqgw_plugin_descriptor),
    "mqtt",
    "0.1.0",
    MQGW_BUILD_SIG,
    MQGW_KIND_FRONTEND,
    MQGW_CAP_FRONTEND_SNIFF,
    kConfigSchema,
    kConfigSchemaLen,
    &kOps,
    sizeof(mqgw_frontend_ops),
    {},
};

}  // namespace
}  // namespace mqgw::mqttfe

extern "C" MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                                    const mqgw_plugin_descriptor** out) {
  if (!host || !out) return MQGW_E_INVAL;
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR) return MQGW_E_UNSUPPORTED;
  if (host->struct_size < sizeof(mqgw_host_api)) return MQGW_E_UNSUPPORTED;
  mqgw::mqttfe::gHost = host;
  *out = &mqgw::mqttfe::kDescriptor;
  return MQGW_OK;
}
