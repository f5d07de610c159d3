// Recognises the Flash socket policy request: "<policy-file-request/>" followed by a NUL.
// Sans-I/O and byte by byte, so a request split across reads needs no buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mqgw::flashpolicy {

// The whole request, NUL included: 23 bytes.
inline constexpr std::string_view kPolicyRequest{"<policy-file-request/>\0", 23};

class RequestMatcher {
 public:
  enum class State { kPartial, kComplete, kMismatch };

  // Looks at the bytes until the request is complete or refuted. Bytes after a complete
  // request are not examined; once complete or refuted the state never changes.
  State feed(const uint8_t* data, size_t len);
  State state() const { return state_; }
  size_t matched() const { return matched_; }

 private:
  size_t matched_ = 0;
  State state_ = State::kPartial;
};

}  // namespace mqgw::flashpolicy
