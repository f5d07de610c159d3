// The `authorization:` section: what it loads to, and every error with its exact text.
#include <gtest/gtest.h>

#include "config/config.h"

namespace mqgw::config {
namespace {

const std::string kRest = R"(listeners:
  - name: mqtt
    bind: 127.0.0.1
    port: 1883
    stack: [tcp, mqtt]
storage:
  backend: memory
)";

LoadResult load(const std::string& authYaml) { return loadString(authYaml + kRest, "t.yaml"); }

std::string errorOf(const std::string& authYaml) {
  LoadResult r = load(authYaml);
  return r.ok() ? "OK" : r.error->str();
}

TEST(ConfigAuthorization, AbsentMeansNoSection) {
  LoadResult r = load("");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.config->authorization.has_value());
}

TEST(ConfigAuthorization, RulesInOrder) {
  LoadResult r = load(R"(authorization:
  default: deny
  rules:
    - { action: publish, filter: "sensors/#", allow: true }
    - { action: subscribe, filter: "admin/#", allow: false }
    - action: all
      filter: "#"
      allow: true
)");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const Authorization& a = *r.config->authorization;
  EXPECT_FALSE(a.defaultAllow);
  ASSERT_EQ(a.rules.size(), 3u);
  EXPECT_EQ(a.rules[0].action, AuthAction::Publish);
  EXPECT_EQ(a.rules[0].filter, "sensors/#");
  EXPECT_TRUE(a.rules[0].allow);
  EXPECT_EQ(a.rules[0].line, 4);
  EXPECT_EQ(a.rules[1].action, AuthAction::Subscribe);
  EXPECT_FALSE(a.rules[1].allow);
  EXPECT_EQ(a.rules[2].action, AuthAction::All);
  EXPECT_EQ(a.rules[2].filter, "#");
  EXPECT_TRUE(a.rules[2].allow);
  EXPECT_EQ(a.rules[2].line, 6);
}

TEST(ConfigAuthorization, DefaultsToAllowWithoutRules) {
  LoadResult r = load("authorization: {}\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.config->authorization->defaultAllow);
  EXPECT_TRUE(r.config->authorization->rules.empty());
}

TEST(ConfigAuthorization, Errors) {
  EXPECT_EQ(errorOf("authorization: [a]\n"),
            "t.yaml:1:16: authorization: expected a mapping of key: value");
  EXPECT_EQ(errorOf("authorization: {defualt: deny}\n"),
            "t.yaml:1:17: authorization.defualt: unknown key (expected one of: default, rules)");
  EXPECT_EQ(errorOf("authorization: {default: maybe}\n"),
            "t.yaml:1:26: authorization.default: 'maybe' is not one of allow|deny");
  EXPECT_EQ(errorOf("authorization: {rules: {a: b}}\n"),
            "t.yaml:1:24: authorization.rules: expected a list of rules like - {action: all, "
            "filter: \"#\", allow: false}");
  EXPECT_EQ(errorOf("authorization:\n  rules: [x]\n"),
            "t.yaml:2:11: authorization.rules[0]: expected a rule like {action: publish, filter: "
            "\"a/#\", allow: true}");
}

TEST(ConfigAuthorization, RuleErrors) {
  auto rule = [](const std::string& r) {
    return errorOf("authorization:\n  rules:\n    - {action: all, filter: a, allow: true}\n    - " +
                   r + "\n");
  };
  EXPECT_EQ(rule("{action: all, filter: a, allow: true}"), "OK");
  EXPECT_EQ(rule("{action: read, filter: a, allow: true}"),
            "t.yaml:4:16: authorization.rules[1].action: 'read' is not one of "
            "publish|subscribe|all");
  EXPECT_EQ(rule("{action: all, filter: \"a/#/b\", allow: true}"),
            "t.yaml:4:29: authorization.rules[1].filter: 'a/#/b' is not a valid MQTT topic "
            "filter (not empty; '+' and '#' only as a whole level, '#' only last)");
  EXPECT_EQ(rule("{action: all, filter: \"a+\", allow: true}"),
            "t.yaml:4:29: authorization.rules[1].filter: 'a+' is not a valid MQTT topic filter "
            "(not empty; '+' and '#' only as a whole level, '#' only last)");
  EXPECT_EQ(rule("{action: all, filter: \"\", allow: true}"),
            "t.yaml:4:29: authorization.rules[1].filter: '' is not a valid MQTT topic filter "
            "(not empty; '+' and '#' only as a whole level, '#' only last)");
  EXPECT_EQ(rule("{action: all, filter: [a], allow: true}"),
            "t.yaml:4:29: authorization.rules[1].filter: expected a topic filter, got a list");
  EXPECT_EQ(rule("{action: all, filter: a, allow: yes}"),
            "t.yaml:4:39: authorization.rules[1].allow: expected true or false, got 'yes'");
  EXPECT_EQ(rule("{action: all, filter: a, allow: true, user: bob}"),
            "t.yaml:4:45: authorization.rules[1].user: unknown key (expected one of: action, "
            "filter, allow)");
  EXPECT_EQ(rule("{filter: a, allow: true}"),
            "t.yaml:4:7: authorization.rules[1].action: is required (publish|subscribe|all)");
  EXPECT_EQ(rule("{action: all, allow: true}"),
            "t.yaml:4:7: authorization.rules[1].filter: is required (a topic filter)");
  EXPECT_EQ(rule("{action: all, filter: a}"),
            "t.yaml:4:7: authorization.rules[1].allow: is required (true or false)");
  EXPECT_EQ(rule("{action: all, filter: a, allow: true, allow: false}"),
            "t.yaml:4:45: authorization.rules[1].allow: duplicate key");
}

}  // namespace
}  // namespace mqgw::config
