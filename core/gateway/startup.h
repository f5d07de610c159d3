// Start-up and shutdown in order: config → plugins → stacks and storage → listeners → workers →
// ready; on SIGINT/SIGTERM: stop accepting, close connections (frontends say goodbye), flush,
// stop storage, exit 0 within limits.shutdown_timeout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mqgw {

struct Options {
  std::string configPath;
  bool checkOnly = false;
  std::optional<std::string> pluginDir;
  std::optional<uint32_t> workers;
  std::optional<std::string> logLevel;
  std::string exeDir;  // default plugin_dir is <exeDir>/plugins
};

// Exit codes.
inline constexpr int kExitOk = 0, kExitConfig = 2, kExitPlugin = 3, kExitListen = 4,
                     kExitRuntime = 5;

int runGateway(const Options& o);

}  // namespace mqgw
