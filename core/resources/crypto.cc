#include "resources/crypto.h"

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/sha256.h>
#include <sys/random.h>

#include <cstdint>
#include <vector>

namespace mqgw::crypto {
namespace {

std::string hmac(mbedtls_md_type_t type, std::string_view key, std::string_view data) {
  const mbedtls_md_info_t* md = mbedtls_md_info_from_type(type);
  std::string out(mbedtls_md_get_size(md), '\0');
  mbedtls_md_hmac(md, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                  reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

std::string base64(std::string_view bytes) {
  size_t need = 0;
  mbedtls_base64_encode(nullptr, 0, &need, reinterpret_cast<const unsigned char*>(bytes.data()),
                        bytes.size());
  std::string out(need, '\0');
  size_t written = 0;
  mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written,
                        reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.resize(written);
  return out;
}

bool base64Decode(std::string_view text, std::string* out) {
  size_t need = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  int rc = mbedtls_base64_decode(nullptr, 0, &need, in, text.size());
  if (rc != 0 && rc != MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) return false;
  out->assign(need, '\0');
  size_t written = 0;
  if (mbedtls_base64_decode(reinterpret_cast<unsigned char*>(out->data()), out->size(), &written,
                            in, text.size()) != 0)
    return false;
  out->resize(written);
  return true;
}

std::string hmacSha1(std::string_view key, std::string_view data) {
  return hmac(MBEDTLS_MD_SHA1, key, data);
}

std::string hmacSha256(std::string_view key, std::string_view data) {
  return hmac(MBEDTLS_MD_SHA256, key, data);
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, 0);
  return hex({reinterpret_cast<const char*>(digest), sizeof digest});
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;  // lengths of a Base64 digest are public anyway
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string randomString(size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  // Rejection sampling: a byte maps to the alphabet only below the largest multiple of its size.
  const unsigned limit = 256 - 256 % alphabet.size();
  std::vector<uint8_t> bytes(64);
  size_t used = bytes.size();
  while (out.size() < n) {
    if (used == bytes.size()) {
      ssize_t got = getrandom(bytes.data(), bytes.size(), 0);
      if (got != static_cast<ssize_t>(bytes.size())) continue;  // EINTR: try again
      used = 0;
    }
    uint8_t b = bytes[used++];
    if (b < limit) out.push_back(alphabet[b % alphabet.size()]);
  }
  return out;
}

std::string requestStringToSign(std::string_view method, std::string_view path,
                                std::string_view timestamp, std::string_view nonce,
                                std::string_view body) {
  std::string s;
  s.reserve(method.size() + path.size() + timestamp.size() + nonce.size() + 68);
  s.append(method).append("\n").append(path).append("\n").append(timestamp).append("\n");
  s.append(nonce).append("\n").append(sha256Hex(body));
  return s;
}

}  // namespace mqgw::crypto
