#include "api/request_auth.h"

#include <chrono>

#include "resources/crypto.h"

namespace mqgw::api {
namespace {

using resources::Caller;
using resources::Result;

constexpr const char* kKeyHeader = "x-mqgw-access-key-id";
constexpr const char* kTimestampHeader = "x-mqgw-timestamp";
constexpr const char* kNonceHeader = "x-mqgw-nonce";
constexpr const char* kSignatureHeader = "x-mqgw-signature";

Result<Caller> refuse(int status, const char* code, std::string message) {
  return Result<Caller>::fail(status, code, std::move(message));
}

// Decimal unix seconds, at most 12 digits (no sign, no spaces).
bool parseSeconds(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 12) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool validNonce(const std::string& nonce) {
  if (nonce.size() < 8 || nonce.size() > 64) return false;
  for (char c : nonce) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

RequestAuth::RequestAuth(const resources::Registry& registry, Options options)
    : registry_(registry), options_(std::move(options)) {}

int64_t RequestAuth::now() const {
  if (options_.nowSeconds) return options_.nowSeconds();
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

Result<Caller> RequestAuth::verify(const Request& request) {
  const std::string* keyId = request.header(kKeyHeader);
  const std::string* timestamp = request.header(kTimestampHeader);
  const std::string* nonce = request.header(kNonceHeader);
  const std::string* signature = request.header(kSignatureHeader);
  if (!keyId || !timestamp || !nonce || !signature || keyId->empty() || timestamp->empty() ||
      nonce->empty() || signature->empty())
    return refuse(401, "MissingSignatureHeader",
                  "X-Mqgw-Access-Key-Id, X-Mqgw-Timestamp, X-Mqgw-Nonce and X-Mqgw-Signature "
                  "are required");
  int64_t seconds = 0;
  if (!parseSeconds(*timestamp, &seconds))
    return refuse(401, "InvalidSignatureHeader", "X-Mqgw-Timestamp must be unix seconds");
  if (!validNonce(*nonce))
    return refuse(401, "InvalidSignatureHeader", "X-Mqgw-Nonce must be 8..64 of [A-Za-z0-9-]");

  auto found = registry_.findAccessKey(*keyId);
  if (!found) return refuse(401, "InvalidAccessKeyId.NotFound", "unknown or disabled AccessKey");

  int64_t t = now();
  int64_t skew = t > seconds ? t - seconds : seconds - t;
  if (skew > options_.maxSkewSeconds)
    return refuse(401, "RequestTimeTooSkewed",
                  "X-Mqgw-Timestamp is more than " + std::to_string(options_.maxSkewSeconds) +
                      " s away from the server's clock");

  std::string nonceKey = *keyId + '\n' + *nonce;
  bool full = false;
  if (!admitNonce(nonceKey, t, &full)) {
    if (full) return refuse(503, "Throttling.Nonce", "too many requests; retry later");
    return refuse(401, "SignatureNonceUsed", "this nonce was already used");
  }

  std::string expected = crypto::requestSignature(
      found->second,
      crypto::requestStringToSign(request.method, request.path, *timestamp, *nonce, request.body));
  if (!crypto::constantTimeEquals(expected, *signature))
    return refuse(401, "SignatureDoesNotMatch", "the request signature does not match");

  if (!rememberNonce(nonceKey, t))
    return refuse(401, "SignatureNonceUsed", "this nonce was already used");
  Result<Caller> ok;
  ok.value = found->first;
  return ok;
}

bool RequestAuth::admitNonce(const std::string& key, int64_t now, bool* full) {
  std::lock_guard lock(mutex_);
  while (!nonceOrder_.empty() && nonceOrder_.front().first <= now) {
    auto it = nonceExpiry_.find(nonceOrder_.front().second);
    if (it != nonceExpiry_.end() && it->second == nonceOrder_.front().first) nonceExpiry_.erase(it);
    nonceOrder_.pop_front();
  }
  auto it = nonceExpiry_.find(key);
  if (it != nonceExpiry_.end() && it->second > now) return false;
  if (nonceExpiry_.size() >= options_.maxNonces) {
    *full = true;
    return false;
  }
  return true;
}

bool RequestAuth::rememberNonce(const std::string& key, int64_t now) {
  std::lock_guard lock(mutex_);
  // Checked again: two requests with the same nonce may have passed admitNonce together.
  auto it = nonceExpiry_.find(key);
  if (it != nonceExpiry_.end() && it->second > now) return false;
  int64_t expiry = now + options_.nonceMemorySeconds;
  nonceExpiry_[key] = expiry;
  nonceOrder_.emplace_back(expiry, key);
  return true;
}

size_t RequestAuth::rememberedNonces() const {
  std::lock_guard lock(mutex_);
  return nonceExpiry_.size();
}

}  // namespace mqgw::api
