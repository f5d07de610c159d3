// One listener's websocket settings, from its `websocket:` config section.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mqgw/plugin_abi.h"
#include "websocket/ws_handshake.h"

namespace mqgw::wsplugin {

struct Settings {
  ws::HandshakeSettings handshake;
  uint64_t maxFrameSize = 1u << 20;
  uint64_t handshakeTimeoutMs = 10000;
};

extern const mqgw_config_key kSchema[];
extern const uint32_t kSchemaLen;

// The core validated types and bounds; this checks the rest. MQGW_E_INVAL with a log line.
int parseSettings(const mqgw_kv* cfg, size_t n, Settings& out);

}  // namespace mqgw::wsplugin
