// Loads plugin shared objects and checks them against the host before anything else touches
// them: entry symbol, ABI major/minor, struct sizes, build signature, kind, unique name.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw {

struct LoadedPlugin {
  std::string path;
  void* handle = nullptr;
  const mqgw_plugin_descriptor* desc = nullptr;
  std::string name() const { return desc->name; }
};

struct LoadError {
  std::string path;
  std::string reason;
  std::string line() const { return "mqgw: plugin " + path + ": " + reason; }
};

class PluginLoader {
 public:
  explicit PluginLoader(const mqgw_host_api* host) : host_(host) {}
  ~PluginLoader();  // dlclose in reverse load order

  // Loads one file; the plugin's name comes from its descriptor.
  std::optional<LoadError> loadFile(const std::string& path);
  // Finds `name` among loaded plugins, or loads <dir>/mqgw-<name>.so and checks its name.
  std::optional<LoadError> require(const std::string& name, const std::string& dir);
  const LoadedPlugin* find(const std::string& name) const;
  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }

 private:
  std::optional<std::string> check(const mqgw_plugin_descriptor* d) const;
  const mqgw_host_api* host_;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
};

// Minimum ops-table sizes for ABI 1.0, by kind.
size_t minOpsSize(uint32_t kind);

}  // namespace mqgw
