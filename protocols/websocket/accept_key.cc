// The handshake's crypto, from mbedTLS: SHA-1 and base64 are not ours to write.
#include <mbedtls/base64.h>
#include <mbedtls/sha1.h>

#include "websocket/ws_handshake.h"

namespace mqgw::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

}  // namespace

std::string acceptKey(std::string_view clientKey) {
  std::string joined;
  joined.reserve(clientKey.size() + kGuid.size());
  joined.append(clientKey).append(kGuid);
  unsigned char digest[20];
  if (mbedtls_sha1_ret(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(),
                       digest) != 0)
    return {};
  unsigned char out[32];  // base64 of 20 bytes: 28 characters and a NUL
  size_t written = 0;
  if (mbedtls_base64_encode(out, sizeof out, &written, digest, sizeof digest) != 0) return {};
  return std::string(reinterpret_cast<const char*>(out), written);
}

bool validClientKey(std::string_view key) {
  if (key.size() != 24) return false;
  unsigned char raw[24];
  size_t n = 0;
  int rc = mbedtls_base64_decode(raw, sizeof raw, &n,
                                 reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return rc == 0 && n == 16;
}

}  // namespace mqgw::ws
