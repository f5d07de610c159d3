// The `native` plugin's descriptor: its settings schema and the storage ops table, each op a
// thin call into NativeBackend.
#include <new>
#include <string>

#include "host.h"
#include "native_backend.h"

namespace mqgw::native {

const mqgw_host_api* gHost = nullptr;

namespace {

const mqgw_config_key kSchema[] = {
    {"data_dir", MQGW_CFG_DIR, "data", 0, 1, 0, nullptr,
     "Where the log (log/) and the state database (state.db) live; relative to the config file"},
    {"fsync", MQGW_CFG_ENUM, "always", 0, 1, 0, "always|interval|never",
     "always: a batch is fsynced before its PUBACKs go out; interval: at most every "
     "fsync_interval (a power loss may lose that much); never: left to the kernel"},
    {"fsync_interval", MQGW_CFG_DURATION_MS, "100", 0, 1, 60000, nullptr,
     "With fsync: interval, the longest time between fsyncs"},
    {"segment_size", MQGW_CFG_SIZE, "67108864", 0, 65536, 17179869184.0, nullptr,
     "A log segment rolls over at this size; retention deletes whole segments"},
    {"retention_time", MQGW_CFG_DURATION_MS, "604800000", 0, 0, 3153600000000.0, nullptr,
     "Segments whose newest message is older than this are deleted (0 = keep by time forever)"},
    {"retention_size", MQGW_CFG_SIZE, "0", 0, 0, 1e18, nullptr,
     "The oldest segments are deleted while the log is larger than this (0 = no size limit)"},
    {"max_queued_bytes", MQGW_CFG_SIZE, "67108864", 0, 65536, 17179869184.0, nullptr,
     "Appends waiting for the disk; beyond it publishers wait (backpressure)"},
};

NativeBackend* self(void* p) { return static_cast<NativeBackend*>(p); }

int create(const mqgw_kv* cfg, size_t n, void** out) {
  NativeOptions o;
  std::string error;
  if (!parseOptions(cfg, n, &o, &error)) {
    host().log(MQGW_LOG_ERROR, "native", "%s", error.c_str());
    return MQGW_E_INVAL;
  }
  auto* b = new (std::nothrow) NativeBackend(std::move(o));
  if (!b) return MQGW_E_NOMEM;
  *out = b;
  return MQGW_OK;
}

const mqgw_storage_ops kOps = {
    .struct_size = sizeof(mqgw_storage_ops),
    .create = create,
    .start = [](void* p) { return self(p)->start(); },
    .stop = [](void* p) { self(p)->stop(); },
    .destroy = [](void* p) { delete self(p); },
    .append = [](void* p, mqgw_message* m, mqgw_append_cb cb,
                 void* arg) { return self(p)->append(m, cb, arg); },
    .health = [](void* p) { return self(p)->health(); },
    .load = [](void* p, const mqgw_load_visitor* v) { return self(p)->load(v); },
    .replay = [](void* p, const mqgw_position* from,
                 uint32_t n) { return self(p)->replay(from, n); },
    .session_put = [](void* p, mqgw_str id, const uint8_t* s,
                      size_t len) { return self(p)->sessionPut(id, s, len); },
    .session_delete = [](void* p, mqgw_str id) { return self(p)->sessionDelete(id); },
    .cursors_put = [](void* p, const mqgw_cursor* c, uint32_t n, const mqgw_position* f,
                      uint32_t nf) { return self(p)->cursorsPut(c, n, f, nf); },
    .reserved = {},
    // one node only: no cluster ops (ABI 1.1)
    .session_claim = nullptr,
    .session_release = nullptr,
    .session_replay = nullptr,
    .share_join = nullptr,
    .share_leave = nullptr,
    .meta_put = nullptr,  // no console metadata to share: one node only (ABI 1.2)
};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION, sizeof(mqgw_plugin_descriptor), "native", "0.1.0", MQGW_BUILD_SIG,
    MQGW_KIND_STORAGE,
    MQGW_CAP_STORAGE_DURABLE | MQGW_CAP_STORAGE_ORDERED | MQGW_CAP_STORAGE_ASYNC_ACK |
        MQGW_CAP_STORAGE_RETAIN | MQGW_CAP_STORAGE_OWN_THREAD | MQGW_CAP_STORAGE_FEEDS,
    kSchema, sizeof kSchema / sizeof kSchema[0],
    &kOps, sizeof kOps, {},
};

}  // namespace
}  // namespace mqgw::native

extern "C" MQGW_PLUGIN_EXPORT int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                                    const mqgw_plugin_descriptor** out) {
  if (MQGW_ABI_MAJOR_OF(host_abi) != MQGW_ABI_MAJOR || !host ||
      host->struct_size < sizeof(mqgw_host_api))
    return MQGW_E_UNSUPPORTED;
  mqgw::native::gHost = host;
  *out = &mqgw::native::kDescriptor;
  return MQGW_OK;
}
