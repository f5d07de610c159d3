// The `kafka` storage backend, first slice: the publish path. Every message becomes one record
// in a Kafka topic (docs/plugins/storage.md; settings in docs/config.md). No FEEDS and no
// durable-state ops yet: the core routes a message to local subscribers once Kafka has it.
#include <dlfcn.h>
#include <librdkafka/rdkafka.h>

#include <new>
#include <string>

#include "kafka_producer.h"
#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"

namespace {

using mqgw::kafka::Producer;

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
  auto* producer = new (std::nothrow) Producer(gHost, std::move(settings));
  if (!producer) return MQGW_E_NOMEM;
  if (!producer->configure(&why)) {
    gHost->log(MQGW_LOG_ERROR, "kafka", "%s", why.c_str());
    delete producer;
    return MQGW_E_INVAL;
  }
  *out = producer;
  return MQGW_OK;
}

int start(void* p) { return static_cast<Producer*>(p)->start(); }
void stop(void* p) { static_cast<Producer*>(p)->stop(); }
void destroy(void* p) { delete static_cast<Producer*>(p); }
int health(void* p) { return static_cast<Producer*>(p)->health(); }

int append(void* p, mqgw_message* msg, mqgw_append_cb cb, void* arg) {
  return static_cast<Producer*>(p)->append(msg, cb, arg);
}

const mqgw_storage_ops kOps = {
    .struct_size = sizeof(mqgw_storage_ops),
    .create = create,
    .start = start,
    .stop = stop,
    .destroy = destroy,
    .append = append,
    .health = health,
    .load = nullptr,
    .replay = nullptr,
    .session_put = nullptr,
    .session_delete = nullptr,
    .cursors_put = nullptr,
    .reserved = {},
};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION, sizeof(mqgw_plugin_descriptor), "kafka", "0.1.0", MQGW_BUILD_SIG,
    MQGW_KIND_STORAGE,
    MQGW_CAP_STORAGE_DURABLE | MQGW_CAP_STORAGE_ORDERED | MQGW_CAP_STORAGE_ASYNC_ACK |
        MQGW_CAP_STORAGE_OWN_THREAD,
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
