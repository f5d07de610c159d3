#include "request_matcher.h"

namespace mqgw::flashpolicy {

RequestMatcher::State RequestMatcher::feed(const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len && state_ == State::kPartial; ++i) {
    if (data[i] != static_cast<uint8_t>(kPolicyRequest[matched_])) {
      state_ = State::kMismatch;
    } else if (++matched_ == kPolicyRequest.size()) {
      state_ = State::kComplete;
    }
  }
  return state_;
}

}  // namespace mqgw::flashpolicy
