/* mqgw-test-challenge: a TEST enhanced-authentication plugin (MQTT 5 4.12), never installed.
 * It serves the Authentication Method "mqgw-test-challenge" (a methods list, not its plugin
 * name "test-challenge"): the server answers CONNECT (or AUTH 0x19) with AUTH 0x18 carrying a
 * nonce; the client must answer AUTH 0x18 with the nonce reversed followed by the configured
 * secret. Right: success, with the final Authentication Data "welcome". Wrong: 0x87
 * with a reason. Client data "bad-method" at start asks for 0x8C. Not secure in any way: it
 * shows the shape of a challenge-response method, for tests/integration/test_enhanced_auth.py.
 * Built against the public header only, like an out-of-tree plugin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqgw/plugin_abi.h"

static const mqgw_host_api* host;

typedef struct challenge_instance {
  char* secret;
  size_t secret_len;
  char* require_subject; /* when set: only a client certificate subject containing it */
} challenge_instance;

/* One exchange: the answer expected and the bytes of the last reply (they must outlive the
 * call, until the next call about this exchange). */
typedef struct challenge_exchange {
  const challenge_instance* inst;
  char nonce[17];
  char* expected;
  size_t expected_len;
  char* reply;
} challenge_exchange;

static int challengeCreate(const mqgw_kv* cfg, size_t n, void** instance) {
  challenge_instance* c = calloc(1, sizeof *c);
  if (!c) return MQGW_E_NOMEM;
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(cfg[i].key, "require_subject") == 0 && cfg[i].value && *cfg[i].value) {
      free(c->require_subject);
      c->require_subject = strdup(cfg[i].value);
      continue;
    }
    if (strcmp(cfg[i].key, "secret") != 0) continue;
    free(c->secret);
    c->secret = strdup(cfg[i].value);
    if (!c->secret) break;
    c->secret_len = strlen(c->secret);
  }
  if (!c->secret) {
    free(c->require_subject);
    free(c);
    return MQGW_E_INVAL;
  }
  *instance = c;
  return MQGW_OK;
}

static void challengeDestroy(void* instance) {
  challenge_instance* c = instance;
  if (!c) return;
  free(c->secret);
  free(c->require_subject);
  free(c);
}

/* Different for every exchange (loops run exchanges at once: the counter is atomic). */
static void makeNonce(char out[17]) {
  static uint64_t counter;
  uint64_t n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
  uint64_t mixed = (n * 0x9E3779B97F4A7C15ull) ^ (host->now_ms() << 20);
  snprintf(out, 17, "%016llx", (unsigned long long)mixed);
}

static void fail(mqgw_auth_reply* out, uint8_t code, const char* why) {
  out->result = MQGW_AUTH_FAIL;
  out->reason_code = code;
  out->reason.ptr = why;
  out->reason.len = strlen(why);
}

static int challengeStart(void* instance, const mqgw_auth_request* req, void** exchange,
                          mqgw_auth_reply* out) {
  const challenge_instance* inst = instance;
  if (req->data.len == 10 && memcmp(req->data.ptr, "bad-method", 10) == 0) {
    fail(out, 0x8C, "this method wants no initial data");
    return MQGW_OK;
  }
  if (inst->require_subject &&
      (!req->peer_subject || !strstr(req->peer_subject, inst->require_subject))) {
    fail(out, 0x87, "no client certificate with the required subject");
    return MQGW_OK;
  }
  challenge_exchange* x = calloc(1, sizeof *x);
  if (!x) return MQGW_E_NOMEM;
  x->inst = inst;
  makeNonce(x->nonce);
  x->expected_len = 16 + inst->secret_len;
  x->expected = malloc(x->expected_len);
  if (!x->expected) {
    free(x);
    return MQGW_E_NOMEM;
  }
  for (size_t i = 0; i < 16; ++i) x->expected[i] = x->nonce[15 - i];
  memcpy(x->expected + 16, inst->secret, inst->secret_len);
  *exchange = x;
  out->result = MQGW_AUTH_CONTINUE;
  out->data.ptr = x->nonce;
  out->data.len = 16;
  host->log(MQGW_LOG_DEBUG, "test-challenge", "%s for '%.*s' from %s",
            req->reauth ? "re-authentication" : "authentication", (int)req->client_id.len,
            req->client_id.ptr ? req->client_id.ptr : "", req->peer);
  return MQGW_OK;
}

static int challengeStep(void* exchange, const uint8_t* data, size_t len,
                         mqgw_auth_reply* out) {
  challenge_exchange* x = exchange;
  if (len != x->expected_len || memcmp(data, x->expected, len) != 0) {
    fail(out, 0x87, "wrong response to the challenge");
    return MQGW_OK;
  }
  free(x->reply);
  x->reply = strdup("welcome");
  if (!x->reply) return MQGW_E_NOMEM;
  out->result = MQGW_AUTH_SUCCESS;
  out->data.ptr = x->reply;
  out->data.len = strlen(x->reply);
  return MQGW_OK;
}

static void challengeFinish(void* exchange) {
  challenge_exchange* x = exchange;
  free(x->expected);
  free(x->reply);
  free(x);
}

static const char* const challenge_methods[] = {"mqgw-test-challenge", NULL};

static const mqgw_auth_ops challenge_ops = {
    .struct_size = sizeof(mqgw_auth_ops),
    .create = challengeCreate,
    .destroy = challengeDestroy,
    .methods = challenge_methods,
    .start = challengeStart,
    .step = challengeStep,
    .finish = challengeFinish,
};

static const mqgw_config_key challenge_schema[] = {
    {.key = "secret",
     .type = MQGW_CFG_STRING,
     .required = 1,
     .help = "appended to the reversed nonce in a right response"},
    {.key = "require_subject",
     .type = MQGW_CFG_STRING,
     .help = "refuse (0x87) unless the verified client certificate's subject contains this"},
};

static const mqgw_plugin_descriptor challenge_descriptor = {
    .abi_version = MQGW_ABI_VERSION,
    .struct_size = sizeof(mqgw_plugin_descriptor),
    .name = "test-challenge",
    .version = "0.0.0-test",
    .build_sig = MQGW_BUILD_SIG,
    .kind = MQGW_KIND_AUTH,
    .config_schema = challenge_schema,
    .config_schema_len = sizeof challenge_schema / sizeof challenge_schema[0],
    .ops = &challenge_ops,
    .ops_size = sizeof(mqgw_auth_ops),
};

MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* h,
                                         const mqgw_plugin_descriptor** out) {
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR || !h) return MQGW_E_UNSUPPORTED;
  host = h;
  *out = &challenge_descriptor;
  return MQGW_OK;
}
