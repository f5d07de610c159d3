/* mqgw-echo: the smallest useful frontend plugin. It sends a configurable greeting when a
 * connection opens and then writes back every byte it receives. Built outside the mqgw tree
 * against the public headers only; docs/plugins/writing-a-plugin.md walks through it. */
#include <stdlib.h>
#include <string.h>

#include "mqgw/plugin_abi.h"

static const mqgw_host_api* host; /* set once by the entry point; valid until unload */

/* One per listener: the validated config. */
typedef struct echo_instance {
  char* greeting;
  size_t greeting_len;
} echo_instance;

/* One per connection. */
typedef struct echo_conn {
  mqgw_conn* conn;
} echo_conn;

static int echoCreate(const mqgw_kv* cfg, size_t n, void** instance) {
  echo_instance* e = calloc(1, sizeof *e);
  if (!e) return MQGW_E_NOMEM;
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(cfg[i].key, "greeting") != 0) continue;
    free(e->greeting);
    e->greeting = strdup(cfg[i].value);
    if (!e->greeting) {
      free(e);
      return MQGW_E_NOMEM;
    }
    e->greeting_len = strlen(e->greeting);
  }
  *instance = e;
  return MQGW_OK;
}

static void echoDestroy(void* instance) {
  echo_instance* e = instance;
  if (!e) return;
  free(e->greeting);
  free(e);
}

static int echoOpen(void* instance, mqgw_conn* conn, void** state) {
  echo_instance* e = instance;
  echo_conn* c = calloc(1, sizeof *c);
  if (!c) return MQGW_E_NOMEM;
  c->conn = conn;
  *state = c;
  if (e->greeting_len) return host->conn_write(conn, e->greeting, e->greeting_len);
  return MQGW_OK;
}

static long echoData(void* state, const uint8_t* data, size_t len) {
  echo_conn* c = state;
  int rc = host->conn_write(c->conn, data, len);
  if (rc != MQGW_OK) return rc; /* negative: the core closes the connection */
  return (long)len;             /* consumed everything */
}

static void echoClose(void* state, int reason) {
  (void)reason;
  free(state);
}

static const mqgw_frontend_ops echo_ops = {
    .struct_size = sizeof(mqgw_frontend_ops),
    .create = echoCreate,
    .destroy = echoDestroy,
    .on_open = echoOpen,
    .on_data = echoData,
    .on_close = echoClose,
    /* on_drain, on_timeout, on_deliver, on_publish_done, on_kick: optional, not needed here */
};

static const mqgw_config_key echo_schema[] = {
    {.key = "greeting",
     .type = MQGW_CFG_STRING,
     .default_value = "",
     .help = "bytes sent to every new connection before echoing starts"},
};

static const mqgw_plugin_descriptor echo_descriptor = {
    .abi_version = MQGW_ABI_VERSION,
    .struct_size = sizeof(mqgw_plugin_descriptor),
    .name = "echo",
    .version = ECHO_VERSION,
    .build_sig = MQGW_BUILD_SIG,
    .kind = MQGW_KIND_FRONTEND,
    .caps = 0,
    .config_schema = echo_schema,
    .config_schema_len = sizeof echo_schema / sizeof echo_schema[0],
    .ops = &echo_ops,
    .ops_size = sizeof(mqgw_frontend_ops),
};

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* h,
                                         const mqgw_plugin_descriptor** out) {
  /* The loader checks our descriptor; we check the host is one we understand. */
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR || !h) return MQGW_E_UNSUPPORTED;
  host = h;
  *out = &echo_descriptor;
  return MQGW_OK;
}
