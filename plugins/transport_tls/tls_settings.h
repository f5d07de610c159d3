// The tls layer's settings, parsed from the validated key/value pairs the core hands to create.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw::tls {

enum class ClientAuth { None, Optional, Require };

// A certificate picked by the name the client asks for (SNI).
struct SniEntry {
  std::string serverName;  // lower case, as compared
  std::string cert, key;
};

struct TlsSettings {
  std::string cert, key;  // the default certificate chain and its private key
  std::string clientCa;   // CA file for client certificates; empty = none
  ClientAuth clientAuth = ClientAuth::None;
  std::vector<SniEntry> sni;
  uint64_t handshakeTimeoutMs = 10000;
  bool sessionTickets = true;
  uint32_t sessionCacheSize = 1024;  // session-ID resumption entries; 0 = no cache
  uint32_t sessionLifetimeS = 3600;  // tickets and cache entries
};

// Fills *out from the core's pairs. Returns MQGW_OK, or MQGW_E_INVAL with *why set.
int parseSettings(const mqgw_kv* cfg, size_t n, TlsSettings* out, std::string* why);

}  // namespace mqgw::tls
