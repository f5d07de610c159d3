// MQTT 5 enhanced authentication (4.12): the registry of enabled auth plugins by Authentication
// Method, and the host API shims the MQTT frontend runs an exchange through (auth_find,
// auth_start, auth_step, auth_finish in host_api.h).
//
// The registry is filled once at start-up (PluginSetup::configure), before the workers start,
// and cleared after they stopped: workers read it without locks.
#pragma once

#include <string>
#include <string_view>

#include "mqgw/plugin_abi.h"

// One enabled method: which plugin instance serves it.
struct mqgw_auth {
  std::string method;
  std::string plugin;
  const mqgw_auth_ops* ops;
  void* instance;
};

// One running exchange: the method and the plugin's own state (may be NULL).
struct mqgw_auth_exchange {
  const mqgw_auth* auth;
  void* state;
};

namespace mqgw::auth {

// Registers `method` served by a created plugin instance. False when another plugin already
// serves it (the caller reports the config error).
bool registerMethod(std::string_view method, std::string_view plugin, const mqgw_auth_ops* ops,
                    void* instance);
// The plugin that already serves `method`, or "" if none.
std::string methodOwner(std::string_view method);
void clearMethods();

// host_api shims.
const mqgw_auth* findMethod(mqgw_str method);
int startExchange(const mqgw_auth* a, const mqgw_auth_request* req, mqgw_auth_exchange** ex,
                  mqgw_auth_reply* out);
int stepExchange(mqgw_auth_exchange* ex, const uint8_t* data, size_t len, mqgw_auth_reply* out);
void finishExchange(mqgw_auth_exchange* ex);

}  // namespace mqgw::auth
