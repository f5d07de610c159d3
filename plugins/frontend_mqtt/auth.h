// MQTT 5 enhanced authentication (4.12) state of one connection: allocated only when its
// CONNECT names an Authentication Method an auth plugin serves (host auth_find).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw::mqttfe {

// AUTH 0x18 packets a client may send in one exchange; one more refuses it (0x87).
inline constexpr uint8_t kMaxAuthSteps = 16;

struct AuthState {
  const mqgw_auth* method = nullptr;
  std::string name;  // the Authentication Method: every AUTH must repeat it (4.12.0-5)
  mqgw_auth_exchange* exchange = nullptr;  // the running exchange, if any
  std::vector<uint8_t> connectBody;  // the CONNECT, kept until the first exchange succeeds
  std::string finalData;             // Authentication Data for the successful CONNACK
  bool hasFinalData = false;
  uint64_t deadlineMs = 0;  // an exchange must end by then (connect_timeout after it began)
  uint8_t steps = 0;        // AUTH 0x18 packets received in this exchange
};

// Whether the core's host API has the auth calls (an older core has none: 0x8C as before).
bool hostHasAuth();

}  // namespace mqgw::mqttfe
