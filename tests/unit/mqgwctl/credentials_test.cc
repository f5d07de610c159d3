#include "credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace mqgw::ctl {
namespace {

namespace fs = std::filesystem;

TEST(Ini, CommentsBlankLinesAndWhitespace) {
  IniFile f;
  std::string error;
  ASSERT_TRUE(parseIni("# top comment\n\n[default]\n  endpoint =  http://a:1  \r\n; note\n"
                       "access_key_id=AK1\n\n[ other ]\naccess_key_id = AK2\nempty =\n",
                       &f, &error))
      << error;
  ASSERT_EQ(f.sections.size(), 2u);
  ASSERT_NE(f.find("default"), nullptr);
  EXPECT_EQ(*f.find("default")->find("endpoint"), "http://a:1");
  EXPECT_EQ(*f.find("default")->find("access_key_id"), "AK1");
  EXPECT_EQ(*f.find("other")->find("access_key_id"), "AK2");
  EXPECT_EQ(*f.find("other")->find("empty"), "");
  EXPECT_EQ(f.find("missing"), nullptr);
  EXPECT_EQ(f.find("default")->find("nope"), nullptr);
}

TEST(Ini, RepeatedSectionMergesAndValueMayContainEquals) {
  IniFile f;
  std::string error;
  ASSERT_TRUE(parseIni("[a]\nk = x=y\n[b]\nk = 1\n[a]\nj = 2\n", &f, &error)) << error;
  ASSERT_EQ(f.sections.size(), 2u);
  EXPECT_EQ(*f.find("a")->find("k"), "x=y");
  EXPECT_EQ(*f.find("a")->find("j"), "2");
}

TEST(Ini, ErrorsNameTheLine) {
  IniFile f;
  std::string error;
  EXPECT_FALSE(parseIni("[default]\njunk line\n", &f, &error));
  EXPECT_EQ(error.rfind("line 2:", 0), 0u) << error;
  EXPECT_FALSE(parseIni("key = before any section\n", &f, &error));
  EXPECT_EQ(error.rfind("line 1:", 0), 0u) << error;
  EXPECT_FALSE(parseIni("[]\n", &f, &error));
  EXPECT_FALSE(parseIni("[default\n", &f, &error));
}

TEST(Ini, FormatRoundTrips) {
  IniFile f;
  f.upsert("default").set("endpoint", "http://127.0.0.1:9090");
  f.upsert("default").set("access_key_id", "AK");
  f.upsert("second").set("access_key_id", "AK2");
  IniFile back;
  std::string error;
  ASSERT_TRUE(parseIni(formatIni(f), &back, &error)) << error;
  EXPECT_EQ(*back.find("default")->find("access_key_id"), "AK");
  EXPECT_EQ(*back.find("second")->find("access_key_id"), "AK2");
}

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mqgwctl_creds_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / ".mqgw");
    env_["HOME"] = dir_.string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void writeProfileFile(const std::string& text) {
    std::ofstream(dir_ / ".mqgw" / "credentials") << text;
  }
  EnvLookup env() const {
    auto copy = env_;
    return [copy](const char* name) -> std::optional<std::string> {
      auto it = copy.find(name);
      if (it == copy.end()) return std::nullopt;
      return it->second;
    };
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(CredentialsTest, FlagBeatsEnvironmentBeatsProfile) {
  writeProfileFile(
      "[default]\nendpoint = http://profile:1\naccess_key_id = AKPROFILE\naccess_key_secret = sp\n");
  env_["MQGW_ACCESS_KEY_ID"] = "AKENV";
  env_["MQGW_ENDPOINT"] = "http://env:2";
  CredentialFlags flags;
  flags.values.endpoint = "http://flag:3";
  Credentials c;
  std::string error;
  ASSERT_TRUE(resolveCredentials(flags, env(), &c, &error)) << error;
  EXPECT_EQ(c.endpoint, "http://flag:3");   // flag over env and profile
  EXPECT_EQ(c.accessKeyId, "AKENV");        // env over profile
  EXPECT_EQ(c.accessKeySecret, "sp");       // profile as the last resort
}

TEST_F(CredentialsTest, NamedProfileFromFlagOrEnvironment) {
  writeProfileFile("[default]\naccess_key_id = AKD\naccess_key_secret = sd\n"
                   "[ops]\naccess_key_id = AKO\naccess_key_secret = so\n"
                   "[env]\naccess_key_id = AKE\naccess_key_secret = se\n");
  Credentials c;
  std::string error;
  CredentialFlags flags;
  env_["MQGW_PROFILE"] = "env";
  ASSERT_TRUE(resolveCredentials(flags, env(), &c, &error)) << error;
  EXPECT_EQ(c.accessKeyId, "AKE");
  flags.profile = "ops";  // the flag beats MQGW_PROFILE
  ASSERT_TRUE(resolveCredentials(flags, env(), &c, &error)) << error;
  EXPECT_EQ(c.accessKeyId, "AKO");
  EXPECT_EQ(c.endpoint, kDefaultEndpoint);
}

TEST_F(CredentialsTest, ExplicitMissingProfileIsAnError) {
  writeProfileFile("[default]\naccess_key_id = AKD\naccess_key_secret = sd\n");
  CredentialFlags flags;
  flags.profile = "nosuch";
  Credentials c;
  std::string error;
  EXPECT_FALSE(resolveCredentials(flags, env(), &c, &error));
  EXPECT_NE(error.find("profile 'nosuch' not found"), std::string::npos) << error;
}

TEST_F(CredentialsTest, MissingDefaultFileLeavesValuesEmptyWithAHint) {
  CredentialFlags flags;
  Credentials c;
  std::string error;
  ASSERT_TRUE(resolveCredentials(flags, env(), &c, &error)) << error;
  EXPECT_EQ(c.accessKeyId, "");
  std::string hint = missingCredentials(c, flags, env(), true);
  EXPECT_NE(hint.find("access key id"), std::string::npos) << hint;
  EXPECT_NE(hint.find(dir_.string() + "/.mqgw/credentials"), std::string::npos) << hint;
  EXPECT_EQ(missingCredentials(Credentials{"e", "id", "s"}, flags, env(), true), "");
  EXPECT_EQ(missingCredentials(Credentials{"e", "", "s"}, flags, env(), false), "");
}

TEST_F(CredentialsTest, FlagsAndEnvironmentDoNotNeedAParsableFile) {
  writeProfileFile("this is not ini\n");
  env_["MQGW_ACCESS_KEY_SECRET"] = "se";
  CredentialFlags flags;
  flags.values = {"http://h:1", "AK", ""};
  Credentials c;
  std::string error;
  ASSERT_TRUE(resolveCredentials(flags, env(), &c, &error)) << error;
  EXPECT_EQ(c.accessKeySecret, "se");
  flags.values.endpoint.clear();  // now the file is needed, and it is broken
  EXPECT_FALSE(resolveCredentials(flags, env(), &c, &error));
  EXPECT_NE(error.find("line 1"), std::string::npos) << error;
}

TEST_F(CredentialsTest, CredentialsFileFromEnvironment) {
  std::ofstream(dir_ / "alt") << "[default]\naccess_key_id = AKALT\naccess_key_secret = s\n";
  env_["MQGW_CREDENTIALS_FILE"] = (dir_ / "alt").string();
  Credentials c;
  std::string error;
  ASSERT_TRUE(resolveCredentials(CredentialFlags{}, env(), &c, &error)) << error;
  EXPECT_EQ(c.accessKeyId, "AKALT");
}

TEST_F(CredentialsTest, WriteIsPrivateAndCreatesDirectories) {
  IniFile f;
  f.upsert("default").set("access_key_secret", "s3cret");
  std::string path = (dir_ / "new" / "sub" / "credentials").string();
  std::string error;
  ASSERT_TRUE(writeIniFile(path, f, &error)) << error;
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ / "new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  IniFile back;
  bool exists = false;
  ASSERT_TRUE(readIniFile(path, &back, &exists, &error)) << error;
  EXPECT_TRUE(exists);
  EXPECT_EQ(*back.find("default")->find("access_key_secret"), "s3cret");
}

}  // namespace
}  // namespace mqgw::ctl
