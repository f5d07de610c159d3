// The `memory` storage backend: the product's direct mode. Nothing is persisted; an append is
// "stored" the moment it arrives, so acknowledgements and routing happen at once. It takes no
// settings.
#include <atomic>
#include <new>

#include "mqgw/plugin_abi.h"

namespace {

const mqgw_host_api* gHost = nullptr;

struct Backend {
  std::atomic<bool> running{false};
  uint32_t storedMetric = UINT32_MAX;
};

int create(const mqgw_kv*, size_t, void** out) {
  auto* b = new (std::nothrow) Backend();
  if (!b) return MQGW_E_NOMEM;
  b->storedMetric = gHost->metric_register("mqgw_storage_memory_appends_total",
                                           "Messages accepted by the memory backend", 0);
  *out = b;
  return MQGW_OK;
}

int start(void* p) {
  static_cast<Backend*>(p)->running.store(true);
  gHost->storage_health_changed(MQGW_HEALTH_READY);
  return MQGW_OK;
}

void stop(void* p) { static_cast<Backend*>(p)->running.store(false); }

void destroy(void* p) { delete static_cast<Backend*>(p); }

int append(void* p, mqgw_message*, mqgw_append_cb cb, void* arg) {
  auto* b = static_cast<Backend*>(p);
  if (!b->running.load(std::memory_order_relaxed)) return MQGW_E_UNAVAILABLE;
  gHost->metric_add(b->storedMetric, 1);
  cb(arg, MQGW_OK);  // direct mode: accepted is all the durability there is
  return MQGW_OK;
}

int health(void* p) {
  return static_cast<Backend*>(p)->running.load() ? MQGW_HEALTH_READY : MQGW_HEALTH_UNAVAILABLE;
}

// No durable-state ops: sessions and retained messages live in gateway memory only.
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
    // one node only: no cluster ops (ABI 1.1)
    .session_claim = nullptr,
    .session_release = nullptr,
    .session_replay = nullptr,
    .share_join = nullptr,
    .share_leave = nullptr,
    .meta_put = nullptr,  // no console metadata to share: one node only (ABI 1.2)
};

const mqgw_plugin_descriptor kDescriptor = {
    MQGW_ABI_VERSION, sizeof(mqgw_plugin_descriptor), "memory", "0.1.0", MQGW_BUILD_SIG,
    MQGW_KIND_STORAGE, MQGW_CAP_STORAGE_ORDERED, nullptr, 0,
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
