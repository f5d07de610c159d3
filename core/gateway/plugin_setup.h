// Turns the config's plugin names into running plugin instances: loads each named plugin,
// checks its kind fits where it is used, validates its section against its declared schema,
// and creates the per-listener, storage and auth (`auth:`) instances. Errors print one line
// and give an exit code (2 config, 3 plugin).
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "net/stack.h"
#include "plugin/loader.h"

namespace mqgw {

class PluginSetup {
 public:
  PluginSetup(PluginLoader& loader, const config::Config& cfg) : loader_(loader), cfg_(cfg) {}
  ~PluginSetup();
  int load();       // every plugin the config names (stacks, storage, auth), plus `plugins:`
  int configure();  // validate sections, create instances
  Stack takeStack(size_t listener);
  int startStorage();
  void stopStorage();
  void destroyInstances();

 private:
  int configError(int line, int col, const std::string& path, const std::string& what) const;
  int checkKinds();
  int checkAuthKinds();
  int createAuth(const config::PluginSection& section);
  int createLayer(size_t li, size_t layer, LayerSpec& out);
  int createStorage();
  std::vector<config::KeyValue> validate(const config::PluginSection& s, const LoadedPlugin& p,
                                         int* rc);

  PluginLoader& loader_;
  const config::Config& cfg_;
  std::vector<Stack> stacks_;
  std::vector<LayerSpec> created_;  // every listener-layer instance, for destroy
  const LoadedPlugin* storage_ = nullptr;
  mqgw_storage_ops storageOps_{};  // the backend's table, copied by its size
  void* storageBackend_ = nullptr;
  bool storageStarted_ = false;
  struct AuthInstance {
    const mqgw_auth_ops* ops;
    void* instance;
  };
  std::vector<AuthInstance> auth_;  // created auth plugin instances, for destroy
  bool destroyed_ = false;
};

}  // namespace mqgw
