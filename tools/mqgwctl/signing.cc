#include "signing.h"

#include "resources/crypto.h"

namespace mqgw::ctl {

std::vector<Header> signatureHeaders(std::string_view accessKeyId, std::string_view secret,
                                     std::string_view path, std::string_view body,
                                     int64_t unixSeconds, std::string_view nonce) {
  std::string timestamp = std::to_string(unixSeconds);
  std::string toSign = crypto::requestStringToSign("POST", path, timestamp, nonce, body);
  return {
      {"X-Mqgw-Access-Key-Id", std::string(accessKeyId)},
      {"X-Mqgw-Timestamp", timestamp},
      {"X-Mqgw-Nonce", std::string(nonce)},
      {"X-Mqgw-Signature", crypto::requestSignature(secret, toSign)},
  };
}

std::string newNonce() {
  return crypto::randomString(
      24, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
}

}  // namespace mqgw::ctl
