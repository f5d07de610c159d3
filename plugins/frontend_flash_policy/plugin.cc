// The flash-policy frontend: answers Flash Player's socket policy request with the configured
// cross-domain policy and closes. Anything else, or a client too slow to ask, is closed unanswered.
#include <new>
#include <string>

#include "mqgw/plugin_abi.h"
#include "policy_config.h"
#include "request_matcher.h"

namespace mqgw::flashpolicy {
namespace {

constexpr const char* kName = "flash-policy";

const mqgw_host_api* gHost = nullptr;  // set once by mqgw_plugin_entry

struct Metrics {
  uint32_t served = UINT32_MAX;
  uint32_t refused = UINT32_MAX;
} gMetrics;

struct Instance {
  PolicyConfig cfg;
};

struct Conn {
  const Instance* inst;  // outlives every connection of its listener
  mqgw_conn* conn;
  uint64_t openedMs;
  RequestMatcher matcher;
};

const char* peerOf(mqgw_conn* conn) {
  const mqgw_conn_info* info = gHost->conn_info(conn);
  return info && info->peer ? info->peer : "?";
}

int create(const mqgw_kv* cfg, size_t n, void** instance) {
  try {
    auto* inst = new Instance();
    std::string why;
    if (int rc = parseConfig(cfg, n, inst->cfg, &why); rc != MQGW_OK) {
      gHost->log(MQGW_LOG_ERROR, kName, "%s", why.c_str());
      delete inst;
      return rc;
    }
    // Registering twice (one instance per listener) hands back the same counter.
    gMetrics.served = gHost->metric_register(
        "mqgw_flash_policy_served_total", "Flash socket policy requests answered", 0);
    gMetrics.refused = gHost->metric_register(
        "mqgw_flash_policy_refused_total",
        "Connections to a flash-policy listener closed unanswered (wrong bytes or timeout)", 0);
    *instance = inst;
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

void destroy(void* instance) { delete static_cast<Instance*>(instance); }

int onOpen(void* instance, mqgw_conn* conn, void** state) {
  const auto* inst = static_cast<const Instance*>(instance);
  auto* c = new (std::nothrow) Conn{inst, conn, gHost->now_ms(), {}};
  if (!c) return MQGW_E_NOMEM;
  gHost->conn_set_idle_timeout(conn, inst->cfg.timeoutMs);
  *state = c;
  return MQGW_OK;
}

// The core closes the connection when on_data returns a negative status.
long refuse(mqgw_conn* conn, const char* why) {
  gHost->metric_add(gMetrics.refused, 1);
  gHost->log(MQGW_LOG_DEBUG, kName, "%s: %s, closing", peerOf(conn), why);
  return MQGW_E_PROTOCOL;
}

long onData(void* state, const uint8_t* data, size_t len) {
  auto* c = static_cast<Conn*>(state);
  mqgw_conn* conn = c->conn;
  const PolicyConfig& cfg = c->inst->cfg;
  // The idle timeout restarts with every read: a client dribbling one byte at a time would
  // otherwise hold the connection for 23 timeouts.
  if (gHost->now_ms() - c->openedMs > cfg.timeoutMs) return refuse(conn, "request too slow");
  switch (c->matcher.feed(data, len)) {
    case RequestMatcher::State::kPartial: return static_cast<long>(len);
    case RequestMatcher::State::kMismatch: return refuse(conn, "not a policy request");
    case RequestMatcher::State::kComplete: break;
  }
  // From here on the connection may close (and free c) inside a host call: use locals only.
  if (int rc = gHost->conn_write(conn, cfg.reply.data(), cfg.reply.size()); rc != MQGW_OK)
    return rc;
  gHost->metric_add(gMetrics.served, 1);
  gHost->conn_close(conn, MQGW_CLOSE_NORMAL);  // the reply is flushed before the FIN
  return static_cast<long>(len);
}

void onClose(void* state, int reason) {
  (void)reason;
  delete static_cast<Conn*>(state);
}

void onTimeout(void* state) {
  // The core closes the connection after this returns.
  auto* c = static_cast<Conn*>(state);
  gHost->metric_add(gMetrics.refused, 1);
  gHost->log(MQGW_LOG_DEBUG, kName, "%s: no policy request within %llu ms, closing",
             peerOf(c->conn), static_cast<unsigned long long>(c->inst->cfg.timeoutMs));
}

// No session is ever opened, so neither of these is called; the table needs them anyway.
int onDeliver(void*, mqgw_message*, const mqgw_delivery*) { return MQGW_E_UNSUPPORTED; }
void onPublishDone(void*, uint64_t, int) {}

const mqgw_frontend_ops kOps = {
    sizeof(mqgw_frontend_ops),
    create,
    destroy,
    onOpen,
    onData,
    onClose,
    nullptr,  // on_drain: one reply, then close; nothing waits for the queue to drain
    onTimeout,
    onDeliver,
    onPublishDone,
    nullptr,  // on_kick: the core closes the connection itself
    nullptr,  // on_resume: no sessions
    {},
};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION,
    sizeof(mqgw_plugin_descriptor),
    kName,
    "0.1.0",
    MQGW_BUILD_SIG,
    MQGW_KIND_FRONTEND,
    0,
    kConfigSchema,
    kConfigSchemaLen,
    &kOps,
    sizeof(mqgw_frontend_ops),
    {},
};

}  // namespace
}  // namespace mqgw::flashpolicy

extern "C" MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                                    const mqgw_plugin_descriptor** out) {
  if (!host || !out) return MQGW_E_INVAL;
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR) return MQGW_E_UNSUPPORTED;
  if (host->struct_size < sizeof(mqgw_host_api)) return MQGW_E_UNSUPPORTED;
  mqgw::flashpolicy::gHost = host;
  *out = &mqgw::flashpolicy::kDescriptor;
  return MQGW_OK;
}
