// Loader success and basic failure paths with a real built plugin. The deliberately broken
// fixtures (wrong major, short struct, missing symbol, duplicate name...) are exercised end to
// end against the mqgw binary in tests/plugin_abi.
#include <gtest/gtest.h>

#include "plugin/host_api.h"
#include "plugin/loader.h"

namespace mqgw {
namespace {

TEST(Loader, LoadsTheMemoryBackendByName) {
  PluginLoader loader(hostApi());
  auto err = loader.require("memory", MQGW_TEST_PLUGIN_DIR);
  ASSERT_FALSE(err) << err->line();
  const LoadedPlugin* p = loader.find("memory");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->desc->kind, static_cast<uint32_t>(MQGW_KIND_STORAGE));
  EXPECT_GE(p->desc->ops_size, minOpsSize(MQGW_KIND_STORAGE));
}

TEST(Loader, SameFileTwiceIsADuplicate) {
  PluginLoader loader(hostApi());
  std::string path = std::string(MQGW_TEST_PLUGIN_DIR) + "/mqgw-memory.so";
  ASSERT_FALSE(loader.loadFile(path));
  auto err = loader.loadFile(path);
  ASSERT_TRUE(err);
  EXPECT_NE(err->line().find("duplicate plugin name 'memory'"), std::string::npos) << err->line();
}

TEST(Loader, MissingFileNamesThePath) {
  PluginLoader loader(hostApi());
  auto err = loader.require("nonexistent", "/no/such/dir");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->line().rfind("mqgw: plugin /no/such/dir/mqgw-nonexistent.so: file not found", 0),
            0u)
      << err->line();
}

TEST(Loader, NotAPluginFile) {
  PluginLoader loader(hostApi());
  auto err = loader.loadFile("/etc/hostname");
  ASSERT_TRUE(err);
  EXPECT_NE(err->line().find("cannot load"), std::string::npos) << err->line();
}

TEST(Loader, StatusNamesAreStable) {
  EXPECT_STREQ(statusName(MQGW_E_PROTOCOL), "MQGW_E_PROTOCOL");
  EXPECT_STREQ(statusText(MQGW_E_UNAVAILABLE), "unavailable");
  EXPECT_STREQ(statusName(-950), "MQGW_E_FATAL(other)");
}

}  // namespace
}  // namespace mqgw
