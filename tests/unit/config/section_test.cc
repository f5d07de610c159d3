// validateSection: a plugin's section against a schema with every key type.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/config.h"

namespace mqgw::config {
namespace {

const std::string kData = MQGW_CONFIG_TEST_DATA;

const mqgw_config_key kSchema[] = {
    {"enabled", MQGW_CFG_BOOL, "false", 0, 1, 0, nullptr, "turn it on"},
    {"port", MQGW_CFG_INT, "8080", 0, 1, 65535, nullptr, nullptr},
    {"ratio", MQGW_CFG_DOUBLE, nullptr, 0, 0.0, 1.0, nullptr, nullptr},
    {"name", MQGW_CFG_STRING, nullptr, 1, 1, 0, nullptr, nullptr},
    {"timeout", MQGW_CFG_DURATION_MS, "30s", 0, 100, 600000, nullptr, nullptr},
    {"buffer", MQGW_CFG_SIZE, "64KiB", 0, 1024, 1073741824, nullptr, nullptr},
    {"ssl.ca", MQGW_CFG_FILE, nullptr, 0, 1, 0, nullptr, nullptr},
    {"mode", MQGW_CFG_ENUM, "fast", 0, 1, 0, "fast|safe", nullptr},
    {"lib.", MQGW_CFG_PREFIX, nullptr, 0, 1, 0, nullptr, nullptr},
};
constexpr size_t kN = sizeof kSchema / sizeof kSchema[0];

// The section of a listener with stack [tcp, fake]; `body` is the section's YAML from line 7,
// indented by 6 (empty = no section).
PluginSection sectionOf(const std::string& body) {
  std::string yaml =
      "listeners:\n  - name: a\n    bind: 127.0.0.1\n    port: 1\n    stack: [tcp, fake]\n";
  if (!body.empty()) yaml += "    fake:\n" + body;
  yaml += "storage: {backend: memory}\n";
  LoadResult r = loadString(yaml, "t.yaml", kData);
  EXPECT_TRUE(r.ok()) << r.error->str();
  if (!r.ok()) return {};
  return r.config->listeners.at(0).sections.at(0);
}

std::string errorOf(const std::string& body) {
  SectionResult r = validateSection(sectionOf(body), kSchema, kN);
  if (r.ok()) return "OK";
  EXPECT_TRUE(r.values.empty());
  return r.error->str();
}

std::vector<std::pair<std::string, std::string>> valuesOf(const std::string& body) {
  SectionResult r = validateSection(sectionOf(body), kSchema, kN);
  EXPECT_TRUE(r.ok()) << r.error->str();
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& kv : r.values) out.emplace_back(kv.key, kv.value);
  return out;
}

using KV = std::vector<std::pair<std::string, std::string>>;

TEST(ConfigSection, EveryTypeNormalized) {
  std::string ca = std::filesystem::path(kData + "/certs/ca.pem").lexically_normal().string();
  EXPECT_EQ(valuesOf("      lib.z: 1\n"
                     "      enabled: True\n"
                     "      port: 1883\n"
                     "      ratio: 0.5\n"
                     "      name: gw-1\n"
                     "      timeout: 2m\n"
                     "      buffer: 1MiB\n"
                     "      ssl:\n"
                     "        ca: certs/ca.pem\n"
                     "      mode: safe\n"
                     "      lib:\n"
                     "        a.b: x y\n"),
            (KV{{"enabled", "true"},
                {"port", "1883"},
                {"ratio", "0.5"},
                {"name", "gw-1"},
                {"timeout", "120000"},
                {"buffer", "1048576"},
                {"ssl.ca", ca},
                {"mode", "safe"},
                {"lib.z", "1"},
                {"lib.a.b", "x y"}}));
}

TEST(ConfigSection, DefaultsFillIn) {
  EXPECT_EQ(valuesOf("      name: n\n"), (KV{{"enabled", "false"},
                                              {"port", "8080"},
                                              {"name", "n"},
                                              {"timeout", "30000"},
                                              {"buffer", "65536"},
                                              {"mode", "fast"}}));
}

TEST(ConfigSection, BareDurationIsMillisecondsAndDottedKeysEqualNesting) {
  auto flat = valuesOf("      name: n\n      timeout: 250\n      ssl.ca: certs/ca.pem\n");
  auto nested = valuesOf("      name: n\n      timeout: 250ms\n      ssl: {ca: certs/ca.pem}\n");
  EXPECT_EQ(flat, nested);
  EXPECT_EQ(flat[3], (std::pair<std::string, std::string>{"timeout", "250"}));
}

TEST(ConfigSection, Errors) {
  EXPECT_EQ(errorOf("      name: n\n      colour: red\n"),
            "t.yaml:8:7: listeners[0].fake.colour: unknown key (expected one of: enabled, port, "
            "ratio, name, timeout, buffer, ssl.ca, mode, lib.*)");
  EXPECT_EQ(errorOf("      name: n\n      ssl: {cert: x}\n"),
            "t.yaml:8:13: listeners[0].fake.ssl.cert: unknown key (expected one of: enabled, port, "
            "ratio, name, timeout, buffer, ssl.ca, mode, lib.*)");
  EXPECT_EQ(errorOf("      name: n\n      enabled: yes\n"),
            "t.yaml:8:16: listeners[0].fake.enabled: expected true or false, got 'yes'");
  EXPECT_EQ(errorOf("      name: n\n      port: 0\n"),
            "t.yaml:8:13: listeners[0].fake.port: 0 is out of range 1..65535");
  EXPECT_EQ(errorOf("      name: n\n      port: 80.5\n"),
            "t.yaml:8:13: listeners[0].fake.port: expected an integer, got '80.5'");
  EXPECT_EQ(errorOf("      name: n\n      ratio: 1.5\n"),
            "t.yaml:8:14: listeners[0].fake.ratio: 1.5 is out of range 0..1");
  EXPECT_EQ(errorOf("      name: n\n      timeout: 50ms\n"),
            "t.yaml:8:16: listeners[0].fake.timeout: 50ms is out of range 100ms..10m");
  EXPECT_EQ(errorOf("      name: n\n      buffer: 2GiB\n"),
            "t.yaml:8:15: listeners[0].fake.buffer: 2GiB is out of range 1KiB..1GiB");
  EXPECT_EQ(errorOf("      name: n\n      mode: turbo\n"),
            "t.yaml:8:13: listeners[0].fake.mode: 'turbo' is not one of fast|safe");
  EXPECT_EQ(errorOf("      name: n\n      ssl.ca: certs/missing.pem\n"),
            "t.yaml:8:15: listeners[0].fake.ssl.ca: cannot read file '" +
                std::filesystem::path(kData).lexically_normal().string() +
                "/certs/missing.pem': No such file or directory");
  EXPECT_EQ(errorOf("      name: n\n      ssl.ca: certs\n"),
            "t.yaml:8:15: listeners[0].fake.ssl.ca: '" +
                std::filesystem::path(kData).lexically_normal().string() +
                "/certs' is a directory, not a file");
  EXPECT_EQ(errorOf("      name: [a]\n"),
            "t.yaml:7:13: listeners[0].fake.name: expected a string, got a list");
  EXPECT_EQ(errorOf("      name: n\n      port: {a: 1}\n"),
            "t.yaml:8:13: listeners[0].fake.port: expected an integer, got a mapping");
  EXPECT_EQ(errorOf("      name: n\n      lib.x: [1, 2]\n"),
            "t.yaml:8:14: listeners[0].fake.lib.x: expected a value, got a list");
  EXPECT_EQ(errorOf("      name: n\n      ssl.ca: certs/ca.pem\n      ssl: {ca: certs/ca.pem}\n"),
            "t.yaml:9:13: listeners[0].fake.ssl.ca: duplicate key 'ssl.ca'");
  EXPECT_EQ(errorOf("      - name\n"),
            "t.yaml:7:7: listeners[0].fake: expected a mapping of the plugin's settings");
}

TEST(ConfigSection, MissingRequiredPointsAtTheSectionOrItsOwner) {
  EXPECT_EQ(errorOf("      port: 1\n"), "t.yaml:7:7: listeners[0].fake.name: is required");
  EXPECT_EQ(errorOf(""), "t.yaml:2:5: listeners[0].fake.name: is required");  // no section
}

TEST(ConfigSection, FileArgumentNamesErrorsOnly) {
  PluginSection s = sectionOf("      name: n\n      ssl.ca: nope.pem\n");
  SectionResult r = validateSection(s, kSchema, kN, "/elsewhere/gw.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(),
            "/elsewhere/gw.yaml:8:15: listeners[0].fake.ssl.ca: cannot read file '" +
                std::filesystem::path(kData).lexically_normal().string() +
                "/nope.pem': No such file or directory");
}

TEST(ConfigSection, HandMadeSectionResolvesAgainstTheFileArgument) {
  PluginSection s = sectionOf("      name: n\n      ssl.ca: ca.pem\n");
  s.dir.clear();
  SectionResult r = validateSection(s, kSchema, kN, kData + "/certs/gw.yaml");
  ASSERT_TRUE(r.ok()) << r.error->str();
  ASSERT_EQ(r.values.size(), 7u);  // no ratio: it has no default
  EXPECT_EQ(r.values[5].key, "ssl.ca");
  EXPECT_EQ(r.values[5].value,
            std::filesystem::path(kData + "/certs/ca.pem").lexically_normal().string());
}

TEST(ConfigSection, InvalidPluginDefaultIsReported) {
  const mqgw_config_key bad[] = {{"t", MQGW_CFG_DURATION_MS, "soon", 0, 1, 0, nullptr, nullptr}};
  SectionResult r = validateSection(sectionOf("      {}\n"), bad, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(),
            "t.yaml:7:7: listeners[0].fake.t: the plugin's default is invalid: expected a duration "
            "like 250ms, 30s, 5m or 1h, got 'soon'");
}

TEST(ConfigSection, NoSchemaMeansNoKeys) {
  EXPECT_TRUE(validateSection(sectionOf(""), nullptr, 0).ok());
  SectionResult r = validateSection(sectionOf("      x: 1\n"), nullptr, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(),
            "t.yaml:7:7: listeners[0].fake.x: unknown key (expected one of: none: this plugin "
            "takes no settings)");
}

TEST(ConfigSection, HostileAliasesAreBounded) {
  // A self-referencing alias makes a cyclic node graph; flattening must stop.
  PluginSection s = sectionOf("      lib: &a {x: *a}\n");
  SectionResult r = validateSection(s, kSchema, kN);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->what.find("nested too deeply"), std::string::npos) << r.error->str();
}

TEST(ConfigSection, AliasFanOutIsBounded) {
  // Each level refers to the previous one 8 times: 8^12 entries if walked naively.
  std::string body = "      lib:\n        l0: &l0 {";
  for (char k = 'a'; k <= 'h'; ++k) body += std::string(1, k) + ": {}, ";
  body += "}\n";
  for (int i = 1; i < 12; ++i) {
    body += "        l" + std::to_string(i) + ": &l" + std::to_string(i) + " {";
    for (char k = 'a'; k <= 'h'; ++k)
      body += std::string(1, k) + ": *l" + std::to_string(i - 1) + ", ";
    body += "}\n";
  }
  SectionResult r = validateSection(sectionOf(body), kSchema, kN);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->what, "too many keys");
}

}  // namespace
}  // namespace mqgw::config
