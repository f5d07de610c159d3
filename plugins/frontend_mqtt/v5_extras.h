// Per-connection state only some MQTT 5 clients need — topic aliases, an enhanced-
// authentication exchange — behind one pointer, so an idle connection pays 8 bytes for both.
#pragma once

#include <memory>

#include "auth.h"
#include "topic_alias.h"

namespace mqgw::mqttfe {

struct V5Extras {
  std::unique_ptr<TopicAliases> aliases;
  std::unique_ptr<AuthState> auth;
};

}  // namespace mqgw::mqttfe
