// A listener's resolved stack: the plugin layers above the core's tcp, bottom-up, each with the
// per-listener instance its plugin created from the listener's config section.
#pragma once

#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw {

struct LayerSpec {
  std::string name;
  uint32_t kind = 0;  // MQGW_KIND_TRANSPORT or MQGW_KIND_FRONTEND (the last one)
  uint64_t caps = 0;
  const mqgw_transport_ops* transport = nullptr;
  const mqgw_frontend_ops* frontend = nullptr;
  void* instance = nullptr;
};

struct Stack {
  std::string listenerName;
  std::vector<LayerSpec> layers;  // layers.back() is the frontend
};

}  // namespace mqgw
