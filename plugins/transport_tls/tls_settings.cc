#include "tls_settings.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>

namespace mqgw::tls {
namespace {

constexpr std::string_view kSniPrefix = "sni.";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

uint64_t toUint(const char* text) { return std::strtoull(text, nullptr, 10); }

// "sni.<server name>.cert" / ".key": server names contain dots, so split at the last one.
bool addSni(std::string_view key, const std::string& value, TlsSettings* out, std::string* why) {
  std::string_view rest = key.substr(kSniPrefix.size());
  size_t dot = rest.rfind('.');
  std::string_view field = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
  if (dot == std::string_view::npos || dot == 0 || (field != "cert" && field != "key")) {
    *why = "sni: expected sni.<server name>.cert and .key, got '" + std::string(key) + "'";
    return false;
  }
  std::string name = lower(rest.substr(0, dot));
  auto it = std::find_if(out->sni.begin(), out->sni.end(),
                         [&](const SniEntry& e) { return e.serverName == name; });
  if (it == out->sni.end()) it = out->sni.insert(out->sni.end(), SniEntry{name, "", ""});
  (field == "cert" ? it->cert : it->key) = value;
  return true;
}

bool readClientAuth(const std::string& word, ClientAuth* out) {
  if (word == "none") *out = ClientAuth::None;
  else if (word == "optional") *out = ClientAuth::Optional;
  else if (word == "require") *out = ClientAuth::Require;
  else return false;
  return true;
}

}  // namespace

int parseSettings(const mqgw_kv* cfg, size_t n, TlsSettings* out, std::string* why) {
  std::string clientAuth;
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = cfg[i].key ? cfg[i].key : "";
    std::string value = cfg[i].value ? cfg[i].value : "";
    uint64_t number = toUint(value.c_str());  // INT and DURATION values arrive normalized
    if (key == "cert") {
      out->cert = value;
    } else if (key == "key") {
      out->key = value;
    } else if (key == "client_ca") {
      out->clientCa = value;
    } else if (key == "client_auth") {
      clientAuth = value;
    } else if (key == "handshake_timeout") {
      out->handshakeTimeoutMs = number;
    } else if (key == "session_tickets") {
      out->sessionTickets = value == "true";
    } else if (key == "session_cache_size") {
      out->sessionCacheSize = static_cast<uint32_t>(number);
    } else if (key == "session_lifetime") {
      out->sessionLifetimeS = static_cast<uint32_t>(number / 1000);
    } else if (key.substr(0, kSniPrefix.size()) == kSniPrefix) {
      if (!addSni(key, value, out, why)) return MQGW_E_INVAL;
    }
  }
  if (out->cert.empty() || out->key.empty()) {
    *why = "cert and key are required";
    return MQGW_E_INVAL;
  }
  // client_ca alone asks for mTLS; client_auth without a CA has nothing to verify against.
  out->clientAuth = out->clientCa.empty() ? ClientAuth::None : ClientAuth::Require;
  if (!clientAuth.empty() && !readClientAuth(clientAuth, &out->clientAuth)) {
    *why = "client_auth: '" + clientAuth + "' is not one of none|optional|require";
    return MQGW_E_INVAL;
  }
  if (out->clientAuth != ClientAuth::None && out->clientCa.empty()) {
    *why = "client_auth: " + clientAuth + " needs client_ca (the CA file to verify against)";
    return MQGW_E_INVAL;
  }
  for (const SniEntry& e : out->sni) {
    if (e.cert.empty() || e.key.empty()) {
      *why = "sni." + e.serverName + ": both cert and key are required";
      return MQGW_E_INVAL;
    }
  }
  return MQGW_OK;
}

}  // namespace mqgw::tls
