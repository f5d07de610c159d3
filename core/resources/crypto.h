// The few digests the console needs, on mbedTLS: the devices' Signature passwords
// (Base64(HMAC-SHA1)), management API request signatures (HMAC-SHA256 over a canonical string)
// and random identifiers. A small library of its own (mqgw_crypto) so that mqgwctl signs
// requests with the very code the gateway verifies them with.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mqgw::crypto {

std::string base64(std::string_view bytes);
// Empty optional-like: returns false when `text` is not valid base64.
bool base64Decode(std::string_view text, std::string* out);
std::string hmacSha1(std::string_view key, std::string_view data);    // 20 raw bytes
std::string hmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string sha256Hex(std::string_view data);                         // 64 lowercase hex
std::string hex(std::string_view bytes);                              // lowercase, 2 per byte
// Compares without an early exit, so a wrong password's timing says nothing about the right one.
bool constantTimeEquals(std::string_view a, std::string_view b);
// `n` characters drawn uniformly from `alphabet` with the OS's random source.
std::string randomString(size_t n, std::string_view alphabet);

// The MQTT password of the Signature and DeviceCredential modes: Base64(HMAC-SHA1(secret, id)).
inline std::string devicePassword(std::string_view secret, std::string_view clientId) {
  return base64(hmacSha1(secret, clientId));
}

// Management API request signatures (docs/api/signing.md). The string signed is
//   METHOD "\n" PATH "\n" TIMESTAMP "\n" NONCE "\n" hex(SHA-256(body))
// and the signature is Base64(HMAC-SHA256(AccessKeySecret, that string)).
std::string requestStringToSign(std::string_view method, std::string_view path,
                                std::string_view timestamp, std::string_view nonce,
                                std::string_view body);
inline std::string requestSignature(std::string_view secret, std::string_view stringToSign) {
  return base64(hmacSha256(secret, stringToSign));
}

}  // namespace mqgw::crypto
