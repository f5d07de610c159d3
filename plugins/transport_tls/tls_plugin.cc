// The `tls` transport: entry point, descriptor, config schema and the ops table. Every hook
// catches everything (no C++ exception may cross the ABI) and brackets the connection with
// enter()/leave() (see tls_connection.h).
#include <memory>
#include <string>

#include "tls_connection.h"
#include "tls_host.h"
#include "tls_server.h"
#include "tls_settings.h"

namespace mqgw::tls {

const mqgw_host_api* gHost = nullptr;
MetricIds gMetrics;

void registerMetrics() {
  auto reg = [](const char* name, const char* help) {
    return host().metric_register(name, help, 0);
  };
  gMetrics.handshakes = reg("mqgw_tls_handshakes_total", "TLS handshakes completed");
  gMetrics.handshakeFailures = reg("mqgw_tls_handshake_failures_total",
                                   "TLS handshakes refused, broken off or timed out");
  gMetrics.resumed =
      reg("mqgw_tls_sessions_resumed_total", "TLS handshakes that resumed a session");
  gMetrics.bytesIn = reg("mqgw_tls_bytes_in_total", "TLS bytes read from peers (ciphertext)");
  gMetrics.bytesOut = reg("mqgw_tls_bytes_out_total", "TLS bytes written to peers (ciphertext)");
}

namespace {

constexpr double kNoBound = 0, kNoBoundMax = -1;  // min > max: unbounded

const mqgw_config_key kSchema[] = {
    {"cert", MQGW_CFG_FILE, nullptr, 1, kNoBound, kNoBoundMax, nullptr,
     "PEM certificate chain: the server certificate first, then intermediates"},
    {"key", MQGW_CFG_FILE, nullptr, 1, kNoBound, kNoBoundMax, nullptr,
     "PEM private key of the certificate (unencrypted)"},
    {"client_ca", MQGW_CFG_FILE, nullptr, 0, kNoBound, kNoBoundMax, nullptr,
     "PEM CA certificates that client certificates must chain to; enables mTLS"},
    {"client_auth", MQGW_CFG_ENUM, nullptr, 0, kNoBound, kNoBoundMax, "none|optional|require",
     "client certificates: none, optional (verified when sent) or require; default require "
     "with client_ca, none without"},
    {"handshake_timeout", MQGW_CFG_DURATION_MS, "10s", 0, 100, 300000, nullptr,
     "close a connection whose handshake has not finished by then"},
    {"session_tickets", MQGW_CFG_BOOL, "true", 0, kNoBound, kNoBoundMax, nullptr,
     "resume sessions with RFC 5077 tickets (keys in memory, rotated every session_lifetime)"},
    {"session_cache_size", MQGW_CFG_INT, "1024", 0, 0, 1000000, nullptr,
     "sessions kept for session-ID resumption; 0 disables the cache"},
    {"session_lifetime", MQGW_CFG_DURATION_MS, "1h", 0, 1000, 86400000, nullptr,
     "how long a ticket or cached session can be resumed"},
    {"sni.", MQGW_CFG_PREFIX, nullptr, 0, kNoBound, kNoBoundMax, nullptr,
     "sni.<server name>.cert / .key: the certificate for clients that ask for that name "
     "(paths as given: absolute, or relative to the working directory)"},
};

int create(const mqgw_kv* cfg, size_t n, void** instance) {
  try {
    TlsSettings settings;
    std::string why;
    int rc = parseSettings(cfg, n, &settings, &why);
    auto server = std::make_unique<TlsServer>();
    if (rc == MQGW_OK) rc = server->init(settings, &why);
    if (rc != MQGW_OK) {
      host().log(MQGW_LOG_ERROR, "tls", "%s", why.c_str());
      return rc;
    }
    registerMetrics();
    *instance = server.release();
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

void destroy(void* instance) { delete static_cast<TlsServer*>(instance); }

int onOpen(void* instance, mqgw_conn* conn, void** state) {
  try {
    auto c = std::make_unique<TlsConnection>(*static_cast<TlsServer*>(instance), conn);
    if (int rc = c->open(); rc != MQGW_OK) return rc;
    *state = c.release();
    return MQGW_OK;
  } catch (...) {
    return MQGW_E_NOMEM;
  }
}

template <typename F>
int guarded(void* state, int onError, F&& body) {
  auto* c = static_cast<TlsConnection*>(state);
  c->enter();
  int result = onError;
  try {
    result = body(*c);
  } catch (...) {
    result = onError;
  }
  if (c->leave()) delete c;
  return result;
}

int onRead(void* state, const uint8_t* data, size_t len) {
  return guarded(state, MQGW_E_NOMEM, [&](TlsConnection& c) { return c.onRead(data, len); });
}

int onWrite(void* state, const uint8_t* data, size_t len) {
  return guarded(state, MQGW_E_NOMEM, [&](TlsConnection& c) { return c.onWrite(data, len); });
}

void onShutdown(void* state, int) {
  guarded(state, 0, [](TlsConnection& c) {
    c.onShutdown();
    return 0;
  });
}

void onClose(void* state, int reason) {
  guarded(state, 0, [&](TlsConnection& c) {
    c.onClose(reason);
    return 0;
  });
}

const mqgw_transport_ops kOps = {
    sizeof(mqgw_transport_ops), create, destroy, onOpen, onRead, onWrite, onShutdown, onClose,
    {nullptr, nullptr, nullptr, nullptr}};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION,
    sizeof(mqgw_plugin_descriptor),
    "tls",
    "0.1.0 (mbedTLS 2.28)",
    MQGW_BUILD_SIG,
    MQGW_KIND_TRANSPORT,
    MQGW_CAP_TRANSPORT_SECURE,
    kSchema,
    sizeof kSchema / sizeof kSchema[0],
    &kOps,
    sizeof(mqgw_transport_ops),
    {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}};

}  // namespace
}  // namespace mqgw::tls

extern "C" MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                                   const mqgw_plugin_descriptor** out) {
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR || !host || !out ||
      host->struct_size < sizeof(mqgw_host_api))
    return MQGW_E_UNSUPPORTED;
  mqgw::tls::gHost = host;
  *out = &mqgw::tls::kDescriptor;
  return MQGW_OK;
}
