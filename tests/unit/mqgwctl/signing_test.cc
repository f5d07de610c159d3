#include "signing.h"

#include <gtest/gtest.h>

#include <regex>

#include "resources/crypto.h"

namespace mqgw::ctl {
namespace {

std::string headerValue(const std::vector<Header>& headers, const std::string& name) {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return "<missing " + name + ">";
}

TEST(Signing, BriefTestVector) {
  auto headers = signatureHeaders("AKTEST", "testsecret", "/api/v1/ListInstances", "{}",
                                  1764137000, "n0nce-001");
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_EQ(headerValue(headers, "X-Mqgw-Access-Key-Id"), "AKTEST");
  EXPECT_EQ(headerValue(headers, "X-Mqgw-Timestamp"), "1764137000");
  EXPECT_EQ(headerValue(headers, "X-Mqgw-Nonce"), "n0nce-001");
  EXPECT_EQ(headerValue(headers, "X-Mqgw-Signature"),
            "QfQbQy54ZRfxL3zwCZanw+W4bIMtiYE/WBgkBHix4jA=");
}

TEST(Signing, SignatureCoversBodyPathAndTime) {
  auto base = signatureHeaders("AK", "testsecret", "/api/v1/ListInstances", "{}", 1764137000, "n0nce-001");
  auto body = signatureHeaders("AK", "testsecret", "/api/v1/ListInstances", "{ }", 1764137000, "n0nce-001");
  auto path = signatureHeaders("AK", "testsecret", "/api/v1/GetInstance", "{}", 1764137000, "n0nce-001");
  auto time = signatureHeaders("AK", "testsecret", "/api/v1/ListInstances", "{}", 1764137001, "n0nce-001");
  std::string sig = headerValue(base, "X-Mqgw-Signature");
  EXPECT_NE(sig, headerValue(body, "X-Mqgw-Signature"));
  EXPECT_NE(sig, headerValue(path, "X-Mqgw-Signature"));
  EXPECT_NE(sig, headerValue(time, "X-Mqgw-Signature"));
}

TEST(Signing, NonceFitsTheServerRuleAndVaries) {
  std::string a = newNonce(), b = newNonce();
  EXPECT_TRUE(std::regex_match(a, std::regex("[A-Za-z0-9-]{8,64}"))) << a;
  EXPECT_NE(a, b);
}

TEST(Password, BriefDeviceVector) {
  EXPECT_EQ(crypto::devicePassword("devsecret", "GID_demo@@@dev-1"), "tN6iaxVPDCLWXCzVxdXxAdgFEyA=");
}

}  // namespace
}  // namespace mqgw::ctl
