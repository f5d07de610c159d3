// mqgw: the executable only. Everything else lives in the mqgw_core library and in plugins.
#include <CLI/CLI.hpp>

#include <filesystem>

#include "gateway/startup.h"

int main(int argc, char** argv) {
  mqgw::Options o;
  CLI::App app{"mqgw: an MQTT gateway with pluggable frontends, transports and storage"};
  app.add_option("-c,--config", o.configPath, "YAML configuration file")->required();
  app.add_flag("--check", o.checkOnly, "Validate the configuration and plugins, then exit");
  app.add_option("--plugin-dir", o.pluginDir, "Directory of mqgw-<name>.so plugins");
  app.add_option("--workers", o.workers, "Worker loops (default: config, else CPU cores)")
      ->check(CLI::Range(1u, 256u));
  app.add_option("--log-level", o.logLevel, "trace|debug|info|warn|error");
  app.set_version_flag("--version", MQGW_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : mqgw::kExitConfig;
  }
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  o.exeDir = ec ? std::filesystem::path(argv[0]).parent_path().string()
                : exe.parent_path().string();
  return mqgw::runGateway(o);
}
