// Loading whole config files: every key read and normalized, defaults, path resolution.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "config/config.h"

namespace mqgw::config {
namespace {

const std::string kData = MQGW_CONFIG_TEST_DATA;

TEST(ConfigLoad, GoodFileReadsEveryKey) {
  LoadResult r = loadFile(kData + "/good.yaml");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const Config& c = *r.config;
  EXPECT_EQ(c.file, kData + "/good.yaml");
  EXPECT_EQ(c.dir, std::filesystem::path(kData).lexically_normal().string());
  EXPECT_EQ(c.workers, 4u);
  EXPECT_EQ(c.pluginDir, (std::filesystem::path(c.dir) / "../build/plugins").lexically_normal());
  ASSERT_EQ(c.extraPlugins.size(), 1u);
  EXPECT_EQ(c.extraPlugins[0], c.dir + "/plugins/extra.so");
  EXPECT_EQ(c.logLevel, "debug");
  ASSERT_TRUE(c.admin.has_value());
  EXPECT_EQ(c.admin->bind, "127.0.0.1");
  EXPECT_EQ(c.admin->port, 9191);

  EXPECT_EQ(c.limits.maxPacketSize, 256u * 1024);
  EXPECT_EQ(c.limits.maxConnections, 5000u);
  EXPECT_EQ(c.limits.keepaliveMinS, 10u);  // bare integer = seconds
  EXPECT_EQ(c.limits.keepaliveMaxS, 480u);
  EXPECT_EQ(c.limits.maxOutboundBytes, 2u * 1024 * 1024);
  EXPECT_EQ(c.limits.maxInflight, 64u);
  EXPECT_EQ(c.limits.shutdownTimeoutMs, 1500u);

  ASSERT_EQ(c.listeners.size(), 2u);
  const Listener& a = c.listeners[0];
  EXPECT_EQ(a.name, "mqtt");
  EXPECT_EQ(a.bind, "0.0.0.0");
  EXPECT_EQ(a.port, 1883);
  EXPECT_EQ(a.stack, (std::vector<std::string>{"tcp", "mqtt"}));
  EXPECT_EQ(a.line, 19);
  EXPECT_EQ(a.col, 5);
  ASSERT_EQ(a.sections.size(), 1u);
  EXPECT_EQ(a.sections[0].plugin, "mqtt");
  EXPECT_EQ(a.sections[0].path, "listeners[0].mqtt");
  EXPECT_EQ(a.sections[0].line, 24);
  EXPECT_EQ(a.sections[0].col, 7);
  EXPECT_EQ(a.sections[0].node["max_qos"].as<int>(), 1);

  const Listener& b = c.listeners[1];
  EXPECT_EQ(b.bind, "::1");
  EXPECT_EQ(b.stack, (std::vector<std::string>{"tcp", "tls", "websocket", "mqtt"}));
  ASSERT_EQ(b.sections.size(), 3u);  // one per layer after tcp, in stack order
  EXPECT_EQ(b.sections[0].plugin, "tls");
  EXPECT_TRUE(b.sections[0].node.IsMap());
  EXPECT_EQ(b.sections[1].plugin, "websocket");
  EXPECT_TRUE(b.sections[1].node.IsNull());  // absent: positioned at the listener
  EXPECT_EQ(b.sections[1].line, 25);
  EXPECT_EQ(b.sections[1].col, 5);
  EXPECT_EQ(b.sections[2].path, "listeners[1].mqtt");

  EXPECT_EQ(c.storageBackend, "memory");
  EXPECT_EQ(c.storageSection.plugin, "memory");
  EXPECT_EQ(c.storageSection.path, "storage.memory");
  EXPECT_EQ(c.storageSection.node["max_messages"].as<int>(), 1000);
}

TEST(ConfigLoad, MinimalFileGetsDefaults) {
  LoadResult r = loadFile(kData + "/minimal.yaml");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const Config& c = *r.config;
  unsigned cpus = std::thread::hardware_concurrency();
  EXPECT_EQ(c.workers, cpus == 0 ? 1u : std::min(cpus, 256u));
  EXPECT_EQ(c.pluginDir, "");
  EXPECT_TRUE(c.extraPlugins.empty());
  EXPECT_EQ(c.logLevel, "info");
  EXPECT_FALSE(c.admin.has_value());
  EXPECT_EQ(c.limits.maxPacketSize, 256u * 1024);
  EXPECT_EQ(c.limits.maxConnections, 1000000u);
  EXPECT_EQ(c.limits.keepaliveMinS, 0u);
  EXPECT_EQ(c.limits.keepaliveMaxS, 480u);
  EXPECT_EQ(c.limits.maxOutboundBytes, 1024u * 1024);
  EXPECT_EQ(c.limits.maxInflight, 32u);
  EXPECT_EQ(c.limits.shutdownTimeoutMs, 5000u);
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].port, 0);
  EXPECT_TRUE(c.storageSection.node.IsNull());
  EXPECT_EQ(c.storageSection.line, 8);  // absent section: positioned at storage's mapping
  EXPECT_EQ(c.storageSection.col, 3);
}

TEST(ConfigLoad, AdminSectionWithoutKeysUsesDefaults) {
  LoadResult r = loadString(
      "admin:\nlisteners: [{name: a, bind: 127.0.0.1, port: 1, stack: [tcp]}]\n"
      "storage: {backend: memory}\n",
      "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error->str();
  ASSERT_TRUE(r.config->admin.has_value());
  EXPECT_EQ(r.config->admin->bind, "127.0.0.1");
  EXPECT_EQ(r.config->admin->port, 9090);
  EXPECT_TRUE(r.config->listeners[0].sections.empty());  // a tcp-only stack has no sections
}

TEST(ConfigLoad, AuthSectionsKeepEachPluginsSettingsInOrder) {
  LoadResult r = loadString(
      "listeners: [{name: a, bind: 127.0.0.1, port: 1, stack: [tcp]}]\n"
      "storage: {backend: memory}\n"
      "auth:\n  scram: {users: u.txt}\n  token:\n",
      "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error->str();
  const auto& a = r.config->authSections;
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].plugin, "scram");
  EXPECT_EQ(a[0].path, "auth.scram");
  EXPECT_EQ(a[0].node["users"].as<std::string>(), "u.txt");
  EXPECT_EQ(a[0].line, 4);
  EXPECT_EQ(a[1].plugin, "token");
  EXPECT_TRUE(a[1].node.IsNull());  // no settings: the schema's defaults
  EXPECT_EQ(a[1].line, 5);  // positioned at its key
}

TEST(ConfigLoad, NoAuthSectionMeansNoAuthPlugins) {
  LoadResult r = loadString(
      "listeners: [{name: a, bind: 127.0.0.1, port: 1, stack: [tcp]}]\n"
      "storage: {backend: memory}\n",
      "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error->str();
  EXPECT_TRUE(r.config->authSections.empty());
}

TEST(ConfigLoad, EphemeralPortsAndDifferentAddressesDoNotClash) {
  LoadResult r = loadString(R"(listeners:
  - {name: a, bind: 127.0.0.1, port: 0, stack: [tcp]}
  - {name: b, bind: 127.0.0.1, port: 0, stack: [tcp]}
  - {name: c, bind: 127.0.0.1, port: 1883, stack: [tcp]}
  - {name: d, bind: 127.0.0.2, port: 1883, stack: [tcp]}
  - {name: e, bind: "::1", port: 1883, stack: [tcp]}
storage: {backend: memory}
)",
                            "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error->str();
  EXPECT_EQ(r.config->listeners.size(), 5u);
}

TEST(ConfigLoad, RelativePathsResolveAgainstBaseDir) {
  LoadResult r = loadString(
      "plugin_dir: plugins\nplugins: [plugins/./extra.so]\n"
      "listeners: [{name: a, bind: 127.0.0.1, port: 1, stack: [tcp]}]\n"
      "storage: {backend: memory}\n",
      "t.yaml", kData);
  ASSERT_TRUE(r.ok()) << r.error->str();
  std::string dir = std::filesystem::path(kData).lexically_normal().string();
  EXPECT_EQ(r.config->pluginDir, dir + "/plugins");
  EXPECT_EQ(r.config->extraPlugins, (std::vector<std::string>{dir + "/plugins/extra.so"}));
}

TEST(ConfigLoad, MissingFile) {
  LoadResult r = loadFile(kData + "/no-such.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(),
            kData + "/no-such.yaml:0:0: cannot open file: No such file or directory");
}

TEST(ConfigLoad, DirectoryIsNotAFile) {
  LoadResult r = loadFile(kData);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->str(), kData + ":0:0: cannot open file: Is a directory");
}

}  // namespace
}  // namespace mqgw::config
