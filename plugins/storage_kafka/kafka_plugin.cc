// The `kafka` storage backend: every message becomes one record in a Kafka topic, every node
// of the cluster feeds every record to its own subscribers, and sessions, floors and retained
// messages live in compacted topics all nodes share (docs/operations/kafka.md,
// docs/decisions/0005-kafka-cluster.md). Settings in docs/config.md.
#include <dlfcn.h>
#include <librdkafka/rdkafka.h>

#include <new>
#include <string>

#include "kafka_backend.h"
#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"

namespace {

using mqgw::kafka::Backend;

Backend* self(void* p) { return static_cast<Backend*>(p); }

const mqgw_host_api* gHost = nullptr;

const mqgw_config_key kSchema[] = {
    {"bootstrap_servers", MQGW_CFG_STRING, nullptr, 1, 0, -1, nullptr,
     "Kafka brokers to start from, host:port[,host:port...]"},
    {"topic_template", MQGW_CFG_STRING, "mqtt.{parent}", 0, 0, -1, nullptr,
     "Kafka topic per message; {parent} = first MQTT topic level, {instance} = instance, "
     "both with characters outside [A-Za-z0-9._-] replaced by _"},
    {"instance", MQGW_CFG_STRING, "default", 0, 0, -1, nullptr,
     "Name substituted for {instance} in topic_template"},
    {"key", MQGW_CFG_ENUM, "topic", 0, 0, -1, "topic|client_id|level",
     "Record key: the MQTT topic, the publisher's Client ID, or topic level key_level"},
    {"key_level", MQGW_CFG_INT, "0", 0, 0, 1000, nullptr,
     "key: level: which topic level is the key (0 = first); a shorter topic keys by itself"},
    {"node_id", MQGW_CFG_STRING, "", 0, 0, -1, nullptr,
     "This node's name among the gateways sharing the cluster (default: the host name); "
     "keep it stable across restarts: a restarted node takes back the sessions it served"},
    {"state_prefix", MQGW_CFG_STRING, "mqgw.{instance}.", 0, 0, -1, nullptr,
     "Prefix of the state topics <prefix>sessions, <prefix>retained, <prefix>control, "
     "<prefix>metadata"},
    {"topic_partitions", MQGW_CFG_INT, "6", 0, 1, 10000, nullptr,
     "Partitions of the data topics the gateway creates"},
    {"replication_factor", MQGW_CFG_INT, "-1", 0, -1, 1000, nullptr,
     "Replication factor of the topics the gateway creates; -1 = the broker's default"},
    {"discovery_interval", MQGW_CFG_DURATION_MS, "1000", 0, 10, 3600000, nullptr,
     "How often a node looks for data topics other nodes created"},
    {"claim_timeout", MQGW_CFG_DURATION_MS, "3000", 0, 50, 60000, nullptr,
     "How long a node waits for a session's previous node to hand it over before it takes "
     "the last stored state"},
    {"rdkafka.", MQGW_CFG_PREFIX, nullptr, 0, 0, -1, nullptr,
     "Passed to librdkafka unchanged, e.g. rdkafka.linger.ms: 5"},
};

int create(const mqgw_kv* cfg, size_t n, void** out) {
  mqgw::kafka::Settings settings;
  std::string why;
  if (!mqgw::kafka::parseSettings(cfg, n, &settings, &why)) {
    gHost->log(MQGW_LOG_ERROR, "kafka", "%s", why.c_str());
    return MQGW_E_INVAL;
  }
  auto* backend = new (std::nothrow) Backend(gHost, std::move(settings));
  if (!backend) return MQGW_E_NOMEM;
  if (!backend->configure(&why)) {
    gHost->log(MQGW_LOG_ERROR, "kafka", "%s", why.c_str());
    delete backend;
    return MQGW_E_INVAL;
  }
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
int load(void* p, const mqgw_load_visitor* v) { return self(p)->load(v); }
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
  return self(p)->meta().put(key, value, len);
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
    MQGW_ABI_VERSION, sizeof(mqgw_plugin_descriptor), "kafka", "0.2.0", MQGW_BUILD_SIG,
    MQGW_KIND_STORAGE,
    MQGW_CAP_STORAGE_DURABLE | MQGW_CAP_STORAGE_ORDERED | MQGW_CAP_STORAGE_ASYNC_ACK |
        MQGW_CAP_STORAGE_OWN_THREAD | MQGW_CAP_STORAGE_RETAIN | MQGW_CAP_STORAGE_FEEDS |
        MQGW_CAP_STORAGE_CLUSTER,
    kSchema, sizeof kSchema / sizeof kSchema[0],
    &kOps, sizeof kOps, {},
};

// librdkafka keeps process-wide state (its global init, SSL and SASL setup) that it never frees.
// Unloaded together with this plugin, that memory becomes unreachable (LeakSanitizer reports
// it); pinned, it stays what it is: one-time state. dladdr finds the copy we are linked to.
void pinLibrdkafka() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&rd_kafka_version), &info) && info.dli_fname)
    dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
}

}  // namespace

extern "C" MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                                    const mqgw_plugin_descriptor** out) {
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR || !host ||
      host->struct_size < sizeof(mqgw_host_api))
    return MQGW_E_UNSUPPORTED;
  gHost = host;
  pinLibrdkafka();
  *out = &kDescriptor;
  return MQGW_OK;
}
