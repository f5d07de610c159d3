// The host API table the core handed to mqgw_plugin_entry, and the plugin's metric ids.
#pragma once

#include <cstdint>

#include "mqgw/plugin_abi.h"

namespace mqgw::tls {

// Set once by mqgw_plugin_entry; valid until the plugin is unloaded.
extern const mqgw_host_api* gHost;

inline const mqgw_host_api& host() { return *gHost; }

struct MetricIds {
  uint32_t handshakes = UINT32_MAX;         // completed handshakes
  uint32_t handshakeFailures = UINT32_MAX;  // refused, broken or timed out handshakes
  uint32_t resumed = UINT32_MAX;            // handshakes that resumed a session
  uint32_t bytesIn = UINT32_MAX;            // ciphertext read from the peer
  uint32_t bytesOut = UINT32_MAX;           // ciphertext written to the peer
};

extern MetricIds gMetrics;

// Idempotent: the core returns the same id for the same name.
void registerMetrics();

inline void count(uint32_t id, int64_t delta = 1) { host().metric_add(id, delta); }

}  // namespace mqgw::tls
