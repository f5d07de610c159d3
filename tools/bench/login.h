// What a connection presents in its CONNECT. Without --instance-id: its usual Client ID and no
// username or password (the anonymous development instance). With it: the console's Signature
// mode, Client ID "<group>@@@<device>", username "Signature|<ak>|<instance>" and password
// Base64(HMAC-SHA1(secret, Client ID)).
#pragma once

#include <string>

#include "options.h"

namespace mqgw::bench {

struct Login {
  std::string clientId;
  std::string username;  // empty: no username, no password in the CONNECT
  std::string password;
};

// A console Client ID is at most this long, "@@@" included (resources::splitClientId).
constexpr size_t kMaxConsoleClientId = 64;

// `usualId` is the Client ID mqgw-bench would use without an instance.
Login makeLogin(const Options& o, const std::string& usualId);

// The device part of a console Client ID: usualId with every character outside [A-Za-z0-9_-]
// replaced by '_', shortened to `room` characters when longer (a hash of the whole id, then its
// tail, which holds the thread, role and index), so distinct ids stay distinct.
std::string deviceId(const std::string& usualId, size_t room);

}  // namespace mqgw::bench
