#include "request_matcher.h"

#include <gtest/gtest.h>

#include <string>

namespace mqgw::flashpolicy {
namespace {

using State = RequestMatcher::State;

State feedText(RequestMatcher& m, std::string_view s) {
  return m.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(RequestMatcher, WholeRequestInOneRead) {
  RequestMatcher m;
  EXPECT_EQ(feedText(m, kPolicyRequest), State::kComplete);
  EXPECT_EQ(m.matched(), 23u);
}

TEST(RequestMatcher, RequestSplitAtEveryByte) {
  RequestMatcher m;
  for (size_t i = 0; i + 1 < kPolicyRequest.size(); ++i)
    ASSERT_EQ(feedText(m, kPolicyRequest.substr(i, 1)), State::kPartial) << "byte " << i;
  EXPECT_EQ(feedText(m, kPolicyRequest.substr(22)), State::kComplete);
}

TEST(RequestMatcher, MissingNulIsNotComplete) {
  RequestMatcher m;
  EXPECT_EQ(feedText(m, "<policy-file-request/>"), State::kPartial);
  EXPECT_EQ(m.matched(), 22u);
}

TEST(RequestMatcher, NewlineInsteadOfNulIsRefused) {
  RequestMatcher m;
  EXPECT_EQ(feedText(m, "<policy-file-request/>\n"), State::kMismatch);
}

TEST(RequestMatcher, FirstWrongByteRefusesAtOnce) {
  RequestMatcher m;
  EXPECT_EQ(feedText(m, "GET / HTTP/1.1\r\n"), State::kMismatch);
  RequestMatcher mqtt;
  const uint8_t connect[] = {0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T'};
  EXPECT_EQ(mqtt.feed(connect, sizeof connect), State::kMismatch);
}

TEST(RequestMatcher, MismatchAfterAPartialRequest) {
  RequestMatcher m;
  EXPECT_EQ(feedText(m, "<policy-file-"), State::kPartial);
  EXPECT_EQ(feedText(m, "REQUEST/>"), State::kMismatch);
}

TEST(RequestMatcher, OutcomeIsFinal) {
  RequestMatcher done;
  ASSERT_EQ(feedText(done, kPolicyRequest), State::kComplete);
  EXPECT_EQ(feedText(done, "garbage"), State::kComplete);
  RequestMatcher refused;
  ASSERT_EQ(feedText(refused, "x"), State::kMismatch);
  EXPECT_EQ(feedText(refused, kPolicyRequest), State::kMismatch);
}

TEST(RequestMatcher, EmptyReadChangesNothing) {
  RequestMatcher m;
  EXPECT_EQ(m.feed(nullptr, 0), State::kPartial);
  EXPECT_EQ(m.matched(), 0u);
}

}  // namespace
}  // namespace mqgw::flashpolicy
