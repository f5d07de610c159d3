// Request signatures: the documented vector, then every refusal of request_auth.h.
#include "api/request_auth.h"

#include <gtest/gtest.h>

#include "api_harness.h"

namespace mqgw::api::testing {
namespace {

class RequestAuthTest : public ::testing::Test {
 protected:
  RequestAuthTest() {
    registry.keys["AKTEST"] = {Caller{"acc-main", AccountKind::Main, "AKTEST"}, "testsecret"};
  }

  // The documented request of docs/api/signing.md (secret "testsecret", timestamp 1764137000,
  // nonce "n0nce-001", body {}).
  Request vector(const std::string& nonce = "n0nce-001") {
    return signedRequest("ListInstances", "{}", "AKTEST", "testsecret", 1764137000, nonce);
  }

  std::string refusal(const Request& r) {
    auto res = auth.verify(r);
    if (res.ok()) return "accepted";
    return std::to_string(res.error->httpStatus) + " " + res.error->code;
  }

  FakeRegistry registry;
  int64_t now = 1764137000;
  RequestAuth auth{registry, RequestAuth::Options{300, 600, 100000, [this] { return now; }}};
};

TEST_F(RequestAuthTest, DocumentedVectorIsAcceptedAndResolvesTheCaller) {
  std::string toSign = crypto::requestStringToSign("POST", "/api/v1/ListInstances", "1764137000",
                                                   "n0nce-001", "{}");
  EXPECT_EQ(toSign,
            "POST\n/api/v1/ListInstances\n1764137000\nn0nce-001\n"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(crypto::requestSignature("testsecret", toSign),
            "QfQbQy54ZRfxL3zwCZanw+W4bIMtiYE/WBgkBHix4jA=");
  Request documented = vector();
  EXPECT_EQ(documented.headers["x-mqgw-signature"], "QfQbQy54ZRfxL3zwCZanw+W4bIMtiYE/WBgkBHix4jA=");
  EXPECT_EQ(refusal(vector("n0nce-1")), "401 InvalidSignatureHeader");  // 7 characters: too short

  auto res = auth.verify(documented);
  ASSERT_TRUE(res.ok()) << res.error->code;
  EXPECT_EQ(res.value->accountId, "acc-main");
  EXPECT_EQ(res.value->kind, AccountKind::Main);
}

TEST_F(RequestAuthTest, SameNonceTwiceIsRefused) {
  EXPECT_EQ(refusal(vector()), "accepted");
  EXPECT_EQ(refusal(vector()), "401 SignatureNonceUsed");
  now += 599;
  EXPECT_EQ(refusal(vector()), "401 RequestTimeTooSkewed");  // too old by now anyway
}

TEST_F(RequestAuthTest, NonceIsForgottenAfterItsMemory) {
  // A nonce may be used again once 600 s passed (with a fresh timestamp and signature).
  Request first = signedRequest("ListInstances", "{}", "AKTEST", "testsecret", now, "again-123");
  EXPECT_EQ(refusal(first), "accepted");
  now += 300;
  Request second = signedRequest("ListInstances", "{}", "AKTEST", "testsecret", now, "again-123");
  EXPECT_EQ(refusal(second), "401 SignatureNonceUsed");
  now += 301;
  Request third = signedRequest("ListInstances", "{}", "AKTEST", "testsecret", now, "again-123");
  EXPECT_EQ(refusal(third), "accepted");
}

TEST_F(RequestAuthTest, SkewBeyondFiveMinutesIsRefusedBothWays) {
  now = 1764137000 + 300;
  EXPECT_EQ(refusal(vector()), "accepted");  // exactly 300 s is still fine
  now = 1764137000 - 301;
  EXPECT_EQ(refusal(vector()), "401 RequestTimeTooSkewed");
  now = 1764137000 + 301;
  EXPECT_EQ(refusal(vector()), "401 RequestTimeTooSkewed");
}

TEST_F(RequestAuthTest, EachMissingHeaderIsRefused) {
  for (const char* h : {"x-mqgw-access-key-id", "x-mqgw-timestamp", "x-mqgw-nonce",
                        "x-mqgw-signature"}) {
    Request r = vector();
    r.headers.erase(h);
    EXPECT_EQ(refusal(r), "401 MissingSignatureHeader") << h;
    r.headers[h] = "";
    EXPECT_EQ(refusal(r), "401 MissingSignatureHeader") << h;
  }
}

TEST_F(RequestAuthTest, MalformedTimestampOrNonceIsRefused) {
  Request r = vector();
  r.headers["x-mqgw-timestamp"] = "-1764137000";
  EXPECT_EQ(refusal(r), "401 InvalidSignatureHeader");
  r = vector();
  r.headers["x-mqgw-nonce"] = "short";
  EXPECT_EQ(refusal(r), "401 InvalidSignatureHeader");
  r.headers["x-mqgw-nonce"] = "has space in it";
  EXPECT_EQ(refusal(r), "401 InvalidSignatureHeader");
}

TEST_F(RequestAuthTest, UnknownKeyIsRefused) {
  Request r = vector();
  r.headers["x-mqgw-access-key-id"] = "AKNOBODY";
  EXPECT_EQ(refusal(r), "401 InvalidAccessKeyId.NotFound");
}

TEST_F(RequestAuthTest, TamperedBodyPathOrSignatureIsRefused) {
  Request r = vector();
  r.body = "{ }";
  EXPECT_EQ(refusal(r), "401 SignatureDoesNotMatch");
  r = vector();
  r.headers["x-mqgw-nonce"] = "n0nce-0002";  // a nonce is part of what is signed
  EXPECT_EQ(refusal(r), "401 SignatureDoesNotMatch");
  r = vector();
  r.path = "/api/v1/DeleteInstance";
  EXPECT_EQ(refusal(r), "401 SignatureDoesNotMatch");
  r = vector();
  r.headers["x-mqgw-signature"] = vector("n0nce-0002").headers["x-mqgw-signature"];
  EXPECT_EQ(refusal(r), "401 SignatureDoesNotMatch");
  // None of these burnt the nonce: the genuine request still passes.
  EXPECT_EQ(refusal(vector()), "accepted");
}

TEST_F(RequestAuthTest, FullNonceMemoryRefusesRatherThanForgetsEarly) {
  RequestAuth small{registry, RequestAuth::Options{300, 600, 2, [this] { return now; }}};
  auto ok = [&](const char* nonce) {
    return small.verify(signedRequest("X", "{}", "AKTEST", "testsecret", now, nonce)).ok();
  };
  EXPECT_TRUE(ok("nonce-aaa"));
  EXPECT_TRUE(ok("nonce-bbb"));
  auto refused = small.verify(signedRequest("X", "{}", "AKTEST", "testsecret", now, "nonce-ccc"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error->httpStatus, 503);
  EXPECT_EQ(small.rememberedNonces(), 2u);
  EXPECT_FALSE(ok("nonce-aaa"));  // still remembered: a replay is still refused
  now += 600;                     // both expire: room again
  EXPECT_TRUE(ok("nonce-ccc"));
  EXPECT_EQ(small.rememberedNonces(), 1u);
}

}  // namespace
}  // namespace mqgw::api::testing
