// Command line → request body, without a server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli.h"

namespace mqgw::ctl {
namespace {

constexpr int64_t kNow = 1764137000000;

struct Parsed {
  bool ok = false;
  std::string message;
  CliModel model;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  bool helped = false;
  p.ok = parseArgs(&p.model, args, [] { return kNow; }, &p.message, &helped);
  EXPECT_FALSE(helped);
  return p;
}

Json body(const Parsed& p) { return p.model.invocation.body; }

TEST(Commands, InstanceCreateWithPartialSpecAndGlobalFlagsAfterTheCommand) {
  auto p = parse({"instance", "create", "--name", "demo", "--namespace-type", "shared",
                  "--max-connections", "50", "-q", "--endpoint", "http://h:1"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(p.model.invocation.action, "CreateInstance");
  EXPECT_EQ(body(p), Json::parse(R"({"InstanceName":"demo","NamespaceType":"shared",
                                     "Spec":{"MaxConnections":50}})"));
  EXPECT_TRUE(p.model.output.quiet);
  EXPECT_EQ(p.model.credentials.values.endpoint, "http://h:1");
  EXPECT_EQ(p.model.invocation.output.quietPath, "Instance.InstanceId");
}

TEST(Commands, InstanceCreateMinimalHasNoOptionalFields) {
  auto p = parse({"instance", "create", "--name", "demo"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(body(p), Json::parse(R"({"InstanceName":"demo"})"));
}

TEST(Commands, UpdateSpecNeedsALimit) {
  EXPECT_FALSE(parse({"instance", "update-spec", "--instance-id", "mqtt-x"}).ok);
  auto p = parse({"instance", "update-spec", "--instance-id", "mqtt-x", "--max-message-size",
                  "1024", "--max-publish-tps", "7"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(body(p), Json::parse(R"({"InstanceId":"mqtt-x",
                                     "Spec":{"MaxPublishTps":7,"MaxMessageSize":1024}})"));
}

TEST(Commands, BindAndDelete) {
  auto bind = parse({"instance", "bind", "--instance-id", "mqtt-x", "--storage-id", "store-y"});
  ASSERT_TRUE(bind.ok) << bind.message;
  EXPECT_EQ(bind.model.invocation.action, "BindStorageInstance");
  EXPECT_EQ(body(bind), Json::parse(R"({"InstanceId":"mqtt-x","StorageInstanceId":"store-y"})"));
  auto del = parse({"storage", "delete", "--storage-id", "store-y"});
  ASSERT_TRUE(del.ok) << del.message;
  EXPECT_EQ(del.model.invocation.action, "DeleteStorageInstance");
  EXPECT_EQ(del.model.invocation.output.doneText, "deleted store-y");
}

TEST(Commands, StorageSettingsAreKeyValuePairs) {
  auto p = parse({"storage", "create", "--name", "s", "--kind", "kafka", "--setting",
                  "brokers=k1:9092,k2:9092", "--setting", "topic=a=b"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(body(p), Json::parse(R"({"Name":"s","Kind":"kafka",
      "Settings":{"brokers":"k1:9092,k2:9092","topic":"a=b"}})"));
  EXPECT_FALSE(parse({"storage", "create", "--name", "s", "--kind", "x", "--setting", "nokey"}).ok);
  EXPECT_FALSE(parse({"storage", "create", "--name", "s", "--kind", "x", "--namespace-type", "odd"}).ok);
}

TEST(Commands, TopicAndGroup) {
  auto t = parse({"topic", "create", "--instance-id", "i", "--topic", "demo_topic",
                  "--message-type", "ordered", "--remark", "r"});
  ASSERT_TRUE(t.ok) << t.message;
  EXPECT_EQ(body(t), Json::parse(R"({"InstanceId":"i","Topic":"demo_topic",
                                     "MessageType":"ordered","Remark":"r"})"));
  EXPECT_FALSE(parse({"topic", "create", "--instance-id", "i", "--topic", "t",
                      "--message-type", "fifo"}).ok);
  auto g = parse({"group", "list", "--instance-id", "i"});
  ASSERT_TRUE(g.ok) << g.message;
  EXPECT_EQ(g.model.invocation.action, "ListGroupId");
  EXPECT_EQ(g.model.invocation.output.key, "GroupIds");
  EXPECT_FALSE(parse({"group", "create", "--instance-id", "i"}).ok);  // --group-id required
}

TEST(Commands, AccessKeyOptionalAccount) {
  auto p = parse({"access-key", "create"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(body(p), Json::object());
  auto q = parse({"access-key", "list", "--account-id", "acc-1"});
  ASSERT_TRUE(q.ok) << q.message;
  EXPECT_EQ(body(q), Json::parse(R"({"AccountId":"acc-1"})"));
}

TEST(Commands, TokenApplyExpireInUsesTheClock) {
  auto p = parse({"token", "apply", "--instance-id", "i", "--resources", "demo/#,other/a",
                  "--resources", "x/+", "--actions", "W,R", "--expire-in", "1h"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(body(p), Json::parse(R"({"InstanceId":"i","Resources":["demo/#","other/a","x/+"],
      "Actions":"R,W","ExpireTime":1764140600000})"));
  auto t = parse({"token", "apply", "--instance-id", "i", "--resources", "a/#", "--actions", "R",
                  "--expire-time", "1764137999000"});
  ASSERT_TRUE(t.ok) << t.message;
  EXPECT_EQ(body(t)["ExpireTime"], 1764137999000);
  EXPECT_FALSE(parse({"token", "apply", "--instance-id", "i", "--resources", "a/#",
                      "--actions", "R"}).ok);  // no expiry
  EXPECT_FALSE(parse({"token", "apply", "--instance-id", "i", "--resources", "a/#", "--actions",
                      "R", "--expire-in", "1h", "--expire-time", "5"}).ok);
  EXPECT_FALSE(parse({"token", "apply", "--instance-id", "i", "--resources", "a/#", "--actions",
                      "X", "--expire-in", "1h"}).ok);
  EXPECT_FALSE(parse({"token", "apply", "--instance-id", "i", "--resources", "a/#", "--actions",
                      "R", "--expire-in", "soon"}).ok);
}

TEST(Commands, MessageSendPayloads) {
  auto p = parse({"message", "send", "--instance-id", "i", "--topic", "demo/dev1", "--payload",
                  "hi", "--qos", "0", "--retain"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(body(p), Json::parse(R"({"InstanceId":"i","MqttTopic":"demo/dev1","Payload":"hi",
                                     "Qos":0,"Retain":true})"));
  auto path = std::filesystem::temp_directory_path() / ("mqgwctl_payload_" + std::to_string(getpid()));
  std::ofstream(path, std::ios::binary) << std::string("\x00\xff", 2);
  auto f = parse({"message", "send", "--instance-id", "i", "--topic", "t/x", "--payload-file",
                  path.string()});
  std::filesystem::remove(path);
  ASSERT_TRUE(f.ok) << f.message;
  EXPECT_EQ(body(f)["Payload"], "AP8=");
  EXPECT_EQ(body(f)["PayloadEncoding"], "base64");
  EXPECT_FALSE(body(f).contains("Qos"));
  EXPECT_FALSE(parse({"message", "send", "--instance-id", "i", "--topic", "t"}).ok);
  EXPECT_FALSE(parse({"message", "send", "--instance-id", "i", "--topic", "t", "--payload", "a",
                      "--qos", "2"}).ok);
}

TEST(Commands, SessionQueryOneOrMany) {
  auto one = parse({"session", "query", "--instance-id", "i", "--client-id", "GID_a@@@d1"});
  ASSERT_TRUE(one.ok) << one.message;
  EXPECT_EQ(one.model.invocation.action, "QuerySessionByClientId");
  EXPECT_EQ(body(one), Json::parse(R"({"InstanceId":"i","ClientId":"GID_a@@@d1"})"));
  auto many = parse({"session", "query", "--instance-id", "i", "--client-id", "GID_a@@@d1,GID_a@@@d2",
                     "--client-id", "GID_a@@@d3"});
  ASSERT_TRUE(many.ok) << many.message;
  EXPECT_EQ(many.model.invocation.action, "BatchQuerySessionByClientIds");
  EXPECT_EQ(body(many)["ClientIdList"], Json::parse(R"(["GID_a@@@d1","GID_a@@@d2","GID_a@@@d3"])"));
}

TEST(Commands, RawCall) {
  auto p = parse({"call", "GetInstance", "--body", R"({"InstanceId":"mqtt-x"})"});
  ASSERT_TRUE(p.ok) << p.message;
  EXPECT_EQ(p.model.invocation.action, "GetInstance");
  EXPECT_EQ(body(p), Json::parse(R"({"InstanceId":"mqtt-x"})"));
  EXPECT_EQ(p.model.invocation.output.shape, OutputSpec::Shape::Raw);
  auto empty = parse({"call", "ListInstances"});
  ASSERT_TRUE(empty.ok) << empty.message;
  EXPECT_EQ(body(empty), Json::object());
  EXPECT_FALSE(parse({"call", "GetInstance", "--body", "[1]"}).ok);
  EXPECT_FALSE(parse({"call", "GetInstance", "--body", "{"}).ok);
  EXPECT_FALSE(parse({"call", "../x"}).ok);
}

TEST(Commands, LocalCommandsAndUsageErrors) {
  auto pw = parse({"password", "--client-id", "GID_demo@@@dev-1", "--secret", "devsecret"});
  ASSERT_TRUE(pw.ok) << pw.message;
  EXPECT_EQ(pw.model.local, CliModel::Local::Password);
  EXPECT_EQ(pw.model.invocation.action, "");
  auto cfg = parse({"configure", "--from-file", "/x/root-credentials", "--profile", "p"});
  ASSERT_TRUE(cfg.ok) << cfg.message;
  EXPECT_EQ(cfg.model.local, CliModel::Local::Configure);
  EXPECT_EQ(cfg.model.fromFile, "/x/root-credentials");
  EXPECT_EQ(cfg.model.credentials.profile, "p");
  EXPECT_FALSE(parse({}).ok);
  EXPECT_FALSE(parse({"instance"}).ok);
  EXPECT_FALSE(parse({"instance", "frobnicate"}).ok);
  EXPECT_FALSE(parse({"instance", "get"}).ok);
}

TEST(Commands, PasswordRunsWithoutAServer) {
  std::ostringstream out, err;
  auto noEnv = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  int code = runCli({"password", "--client-id", "GID_demo@@@dev-1", "--secret", "devsecret"}, out,
                    err, noEnv);
  EXPECT_EQ(code, kExitOk) << err.str();
  EXPECT_EQ(out.str(), "tN6iaxVPDCLWXCzVxdXxAdgFEyA=\n");
  std::ostringstream out2, err2;
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "MQGW_ACCESS_KEY_SECRET") return "devsecret";
    return std::nullopt;
  };
  EXPECT_EQ(runCli({"password", "--client-id", "GID_demo@@@dev-1"}, out2, err2, env), kExitOk);
  EXPECT_EQ(out2.str(), "tN6iaxVPDCLWXCzVxdXxAdgFEyA=\n");
  std::ostringstream out3, err3;
  EXPECT_EQ(runCli({"instance", "list", "--bogus"}, out3, err3, noEnv), kExitUsage);
}

}  // namespace
}  // namespace mqgw::ctl
