// The `amqp` storage backend: RabbitMQ as the message store of one instance, shared by any
// number of gateway nodes (docs/decisions/0007-amqp-streams.md). Devices' messages go to a
// durable topic exchange per instance, named and routed as RabbitMQ's own MQTT plugin does, so
// plain AMQP clients read them; the log every node feeds from, the sessions, retained messages
// and claims live in RabbitMQ streams. Settings in docs/config.md.
#include <new>
#include <string>

#include "amqp_backend.h"
#include "amqp_settings.h"
#include "mqgw/plugin_abi.h"

namespace {

using mqgw::amqp::Backend;

Backend* self(void* p) { return static_cast<Backend*>(p); }

const mqgw_host_api* gHost = nullptr;

const mqgw_config_key kSchema[] = {
    {"url", MQGW_CFG_STRING, nullptr, 1, 0, -1, nullptr,
     "RabbitMQ to use, amqp://user:password@host:port/vhost (vhost URL-encoded: %2F for /); "
     "query parameters heartbeat (seconds, default 10) and connection_timeout (ms, default "
     "3000)"},
    {"instance", MQGW_CFG_STRING, "default", 0, 0, -1, nullptr,
     "The instance this gateway serves: {instance} in exchange and state_prefix"},
    {"exchange", MQGW_CFG_STRING, "mqgw.{instance}", 0, 0, -1, nullptr,
     "Durable topic exchange of an instance; {instance} = instance, or a console instance's "
     "InstanceId for its topics"},
    {"state_prefix", MQGW_CFG_STRING, "mqgw.{instance}.", 0, 0, -1, nullptr,
     "Prefix of the backend's streams <prefix>log, <prefix>state, <prefix>control and of the "
     "$share queues <prefix>share.<group>.<hash>"},
    {"node_id", MQGW_CFG_STRING, "", 0, 0, -1, nullptr,
     "This node's name among the gateways sharing the instance (default: the host name); "
     "keep it stable across restarts: a restarted node takes back the sessions it served"},
    {"prefetch", MQGW_CFG_INT, "2000", 0, 1, 65535, nullptr,
     "Unacknowledged deliveries per consumer (basic.qos)"},
    {"max_pending", MQGW_CFG_INT, "20000", 0, 1, 10000000, nullptr,
     "Appends waiting for a publisher confirm; beyond it publishes wait"},
    {"reconnect_min", MQGW_CFG_DURATION_MS, "100", 0, 1, 60000, nullptr,
     "First wait before reconnecting after RabbitMQ was lost; doubles per attempt"},
    {"reconnect_max", MQGW_CFG_DURATION_MS, "5000", 0, 1, 600000, nullptr,
     "Longest wait between reconnect attempts; not below reconnect_min"},
    {"claim_timeout", MQGW_CFG_DURATION_MS, "3000", 0, 50, 60000, nullptr,
     "How long a node waits for a session's previous node to hand it over before it takes "
     "the last stored state"},
    {"log_max_bytes", MQGW_CFG_SIZE, "0", 0, 0, -1, nullptr,
     "x-max-length-bytes of the log stream when the gateway creates it (0 = no limit)"},
};

int create(const mqgw_kv* cfg, size_t n, void** out) {
  mqgw::amqp::Settings settings;
  std::string why;
  if (!mqgw::amqp::parseSettings(cfg, n, &settings, &why)) {
    gHost->log(MQGW_LOG_ERROR, "amqp", "%s", why.c_str());
    return MQGW_E_INVAL;
  }
  auto* backend = new (std::nothrow) Backend(gHost, std::move(settings));
  if (!backend) return MQGW_E_NOMEM;
  *out = backend;
  return MQGW_OK;
}

int start(void* p) { return self(p)->start(); }
void stop(void* p) { self(p)->stop(); }
void destroy(void* p) { delete self(p); }
int health(void* p) { return self(p)->health(); }
int append(void* p, mqgw_message* msg, mqgw_append_cb cb, void* arg) {
  return self(p)->append(msg, cb, arg);
}
int load(void* p, const mqgw_load_visitor* v) { return self(p)->state().load(v); }
int replay(void* p, const mqgw_position* from, uint32_t n) {
  return self(p)->feed().replay(from, n);
}
int sessionPut(void* p, mqgw_str id, const uint8_t* state, size_t len) {
  return self(p)->state().putSession(id, state, len);
}
int sessionDelete(void* p, mqgw_str id) { return self(p)->state().deleteSession(id); }
int cursorsPut(void* p, const mqgw_cursor* c, uint32_t n, const mqgw_position* floors,
               uint32_t nFloors) {
  return self(p)->state().putCursors(c, n, floors, nFloors);
}
int sessionClaim(void* p, mqgw_str id, int take, mqgw_claim_cb cb, void* arg) {
  return self(p)->state().claim(id, take, cb, arg);
}
int sessionRelease(void* p, uint64_t claim, mqgw_str id, const uint8_t* state, size_t len,
                   const mqgw_position* next, uint32_t n) {
  return self(p)->state().release(claim, id, state, len, next, n);
}
int sessionReplay(void* p, const mqgw_position* from, const mqgw_position* to, uint32_t n,
                  uint64_t target, mqgw_done_cb done, void* arg) {
  return self(p)->feed().replaySession(from, to, n, target, done, arg);
}
int shareJoin(void* p, mqgw_str group, mqgw_str filter) {
  return self(p)->shares().join(group, filter);
}
int shareLeave(void* p, mqgw_str group, mqgw_str filter) {
  return self(p)->shares().leave(group, filter);
}
int metaPut(void* p, mqgw_str key, const uint8_t* value, size_t len) {
  return self(p)->state().putMeta(key, value, len);
}

const mqgw_storage_ops kOps = {
    .struct_size = sizeof(mqgw_storage_ops),
    .create = create,
    .start = start,
    .stop = stop,
    .destroy = destroy,
    .append = append,
    .health = health,
    .load = load,
    .replay = replay,
    .session_put = sessionPut,
    .session_delete = sessionDelete,
    .cursors_put = cursorsPut,
    .reserved = {},
    .session_claim = sessionClaim,
    .session_release = sessionRelease,
    .session_replay = sessionReplay,
    .share_join = shareJoin,
    .share_leave = shareLeave,
    .meta_put = metaPut,
};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION, sizeof(mqgw_plugin_descriptor), "amqp", "0.1.0", MQGW_BUILD_SIG,
    MQGW_KIND_STORAGE,
    MQGW_CAP_STORAGE_DURABLE | MQGW_CAP_STORAGE_ORDERED | MQGW_CAP_STORAGE_ASYNC_ACK |
        MQGW_CAP_STORAGE_OWN_THREAD | MQGW_CAP_STORAGE_RETAIN | MQGW_CAP_STORAGE_FEEDS |
        MQGW_CAP_STORAGE_CLUSTER,
    kSchema, sizeof kSchema / sizeof kSchema[0],
    &kOps, sizeof kOps, {},
};

}  // namespace

extern "C" MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                                    const mqgw_plugin_descriptor** out) {
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR || !host ||
      host->struct_size < sizeof(mqgw_host_api))
    return MQGW_E_UNSUPPORTED;
  gHost = host;
  *out = &kDescriptor;
  return MQGW_OK;
}
