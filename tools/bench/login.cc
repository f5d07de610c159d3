#include "login.h"

#include <cstdio>

#include "resources/crypto.h"

namespace mqgw::bench {

namespace {

bool idChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

uint32_t fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

std::string deviceId(const std::string& usualId, size_t room) {
  std::string id = usualId;
  for (char& c : id)
    if (!idChar(c)) c = '_';
  if (id.size() <= room) return id;
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08x-", fnv1a(usualId));
  std::string head(hash);
  if (room <= head.size()) return head.substr(0, room);
  return head + id.substr(id.size() - (room - head.size()));
}

Login makeLogin(const Options& o, const std::string& usualId) {
  if (o.instanceId.empty()) return Login{usualId, {}, {}};
  Login login;
  const std::string prefix = o.groupId + "@@@";
  login.clientId = prefix + deviceId(usualId, kMaxConsoleClientId - prefix.size());
  login.username = "Signature|" + o.accessKeyId + "|" + o.instanceId;
  login.password = crypto::devicePassword(o.accessKeySecret, login.clientId);
  return login;
}

}  // namespace mqgw::bench
