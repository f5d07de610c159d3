// The flash-policy listener's settings: the policy document (from a file or inline) and the
// time a client has to send its request.
#pragma once

#include <cstdint>
#include <string>

#include "mqgw/plugin_abi.h"

namespace mqgw::flashpolicy {

// Flash Player's own policies are a few hundred bytes; anything near this is a wrong file.
inline constexpr size_t kMaxPolicyBytes = 64 * 1024;

struct PolicyConfig {
  std::string reply;          // the policy document followed by its NUL terminator
  uint64_t timeoutMs = 5000;  // silence (or a dribbled request) past this closes
};

extern const mqgw_config_key kConfigSchema[];
extern const uint32_t kConfigSchemaLen;

// The core's validated values (files as absolute paths, durations in ms) → out. Returns MQGW_OK,
// or a negative mqgw_status with *why saying what to fix.
int parseConfig(const mqgw_kv* kv, size_t n, PolicyConfig& out, std::string* why);

// The checks a policy document must pass, whatever its source: MQGW_OK or a status and *why.
int checkPolicy(const std::string& policy, std::string* why);

}  // namespace mqgw::flashpolicy
