// The four X-Mqgw-* headers of a signed management API request (docs/api/signing.md), built with
// the gateway's own crypto::requestStringToSign / requestSignature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mqgw::ctl {

using Header = std::pair<std::string, std::string>;

// Deterministic: the caller picks the time and nonce (tests use the brief's vector).
std::vector<Header> signatureHeaders(std::string_view accessKeyId, std::string_view secret,
                                     std::string_view path, std::string_view body,
                                     int64_t unixSeconds, std::string_view nonce);
// 24 random characters of [A-Za-z0-9]: inside the server's 8..64 of [A-Za-z0-9-].
std::string newNonce();

}  // namespace mqgw::ctl
