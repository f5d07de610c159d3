#include "policy_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace mqgw::flashpolicy {
namespace {

const std::string kPolicy =
    "<?xml version=\"1.0\"?>\n<cross-domain-policy>\n"
    "  <allow-access-from domain=\"*\" to-ports=\"1883\"/>\n</cross-domain-policy>\n";

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/flash_policy_testXXXXXX";
    int fd = mkstemp(name);
    path = name;
    ::close(fd);
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

int parse(std::vector<mqgw_kv> kv, PolicyConfig& out, std::string* why) {
  return parseConfig(kv.data(), kv.size(), out, why);
}

TEST(PolicyConfig, InlinePolicyIsServedWithItsNul) {
  PolicyConfig cfg;
  std::string why;
  ASSERT_EQ(parse({{"policy", kPolicy.c_str()}, {"timeout", "250"}}, cfg, &why), MQGW_OK) << why;
  EXPECT_EQ(cfg.reply, kPolicy + std::string(1, '\0'));
  EXPECT_EQ(cfg.timeoutMs, 250u);
}

TEST(PolicyConfig, PolicyFileIsReadByteForByte) {
  TempFile f(kPolicy);
  PolicyConfig cfg;
  std::string why;
  ASSERT_EQ(parse({{"policy_file", f.path.c_str()}}, cfg, &why), MQGW_OK) << why;
  EXPECT_EQ(cfg.reply, kPolicy + std::string(1, '\0'));
  EXPECT_EQ(cfg.timeoutMs, 5000u);  // the default when the core passes none
}

TEST(PolicyConfig, NeitherSourceIsAnError) {
  PolicyConfig cfg;
  std::string why;
  EXPECT_EQ(parse({{"timeout", "5000"}}, cfg, &why), MQGW_E_INVAL);
  EXPECT_NE(why.find("policy_file or policy"), std::string::npos) << why;
}

TEST(PolicyConfig, BothSourcesIsAnError) {
  TempFile f(kPolicy);
  PolicyConfig cfg;
  std::string why;
  EXPECT_EQ(parse({{"policy_file", f.path.c_str()}, {"policy", kPolicy.c_str()}}, cfg, &why),
            MQGW_E_INVAL);
  EXPECT_NE(why.find("not both"), std::string::npos) << why;
}

TEST(PolicyConfig, OversizeFileIsRefused) {
  std::string big = kPolicy + std::string(kMaxPolicyBytes, ' ');
  TempFile f(big);
  PolicyConfig cfg;
  std::string why;
  EXPECT_EQ(parse({{"policy_file", f.path.c_str()}}, cfg, &why), MQGW_E_TOO_LARGE);
  EXPECT_NE(why.find("65536"), std::string::npos) << why;
}

TEST(PolicyConfig, PolicyOfExactlyTheLimitIsAccepted) {
  std::string exact = kPolicy + std::string(kMaxPolicyBytes - kPolicy.size(), ' ');
  TempFile f(exact);
  PolicyConfig cfg;
  std::string why;
  ASSERT_EQ(parse({{"policy_file", f.path.c_str()}}, cfg, &why), MQGW_OK) << why;
  EXPECT_EQ(cfg.reply.size(), kMaxPolicyBytes + 1);
}

TEST(PolicyConfig, MissingFileIsAnError) {
  PolicyConfig cfg;
  std::string why;
  EXPECT_EQ(parse({{"policy_file", "/nonexistent/flash-policy.xml"}}, cfg, &why), MQGW_E_IO);
  EXPECT_NE(why.find("/nonexistent/flash-policy.xml"), std::string::npos) << why;
}

TEST(PolicyConfig, NulInsideThePolicyIsRefused) {
  TempFile f(kPolicy + std::string(1, '\0') + "<!-- after -->");
  PolicyConfig cfg;
  std::string why;
  EXPECT_EQ(parse({{"policy_file", f.path.c_str()}}, cfg, &why), MQGW_E_INVAL);
  EXPECT_NE(why.find("NUL"), std::string::npos) << why;
}

TEST(PolicyConfig, DocumentWithoutPolicyRootIsRefused) {
  PolicyConfig cfg;
  std::string why;
  EXPECT_EQ(parse({{"policy", "listeners: []"}}, cfg, &why), MQGW_E_INVAL);
  EXPECT_NE(why.find("cross-domain-policy"), std::string::npos) << why;
}

TEST(PolicyConfig, UnknownKeyAndBadTimeoutAreErrors) {
  PolicyConfig cfg;
  std::string why;
  EXPECT_EQ(parse({{"policy", kPolicy.c_str()}, {"polcy", "x"}}, cfg, &why), MQGW_E_INVAL);
  EXPECT_EQ(parse({{"policy", kPolicy.c_str()}, {"timeout", "5s"}}, cfg, &why), MQGW_E_INVAL);
  EXPECT_EQ(parse({{"policy", kPolicy.c_str()}, {"timeout", "0"}}, cfg, &why), MQGW_E_INVAL);
}

}  // namespace
}  // namespace mqgw::flashpolicy
