// Checks a management API request's signature headers (docs/api/signing.md) and resolves the
// caller. Refusals, in the order they are checked (all 401 unless said otherwise):
//   MissingSignatureHeader     one of the four X-Mqgw-* headers is absent or empty
//   InvalidSignatureHeader     the timestamp is not decimal seconds, or the nonce is not
//                              8..64 of [A-Za-z0-9-]
//   InvalidAccessKeyId.NotFound  unknown or disabled AccessKey
//   RequestTimeTooSkewed       |now - timestamp| > 300 s
//   SignatureNonceUsed         the key used this nonce in the last 600 s
//   SignatureDoesNotMatch      HMAC-SHA256 differs (compared in constant time)
//   503 Throttling.Nonce       the nonce memory is full of unexpired nonces
// A nonce is remembered only once the signature matched, so strangers cannot fill the memory.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/http_types.h"
#include "resources/registry.h"

namespace mqgw::api {

class RequestAuth {
 public:
  struct Options {
    int64_t maxSkewSeconds = 300;
    int64_t nonceMemorySeconds = 600;
    size_t maxNonces = 100000;
    std::function<int64_t()> nowSeconds;  // wall clock; null = the system clock
  };

  RequestAuth(const resources::Registry& registry, Options options);

  resources::Result<resources::Caller> verify(const Request& request);

  size_t rememberedNonces() const;

 private:
  int64_t now() const;
  // Forgets expired nonces; false when `key` was seen, or the table is full (sets *full).
  bool admitNonce(const std::string& key, int64_t now, bool* full);
  // Records `key` after a good signature; false when a concurrent request got there first.
  bool rememberNonce(const std::string& key, int64_t now);

  const resources::Registry& registry_;
  Options options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> nonceExpiry_;   // key id + nonce -> expiry
  std::deque<std::pair<int64_t, std::string>> nonceOrder_;  // oldest first
};

}  // namespace mqgw::api
