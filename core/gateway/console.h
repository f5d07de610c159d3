// The console inside the gateway process: the resource registry (SQLite under
// tenancy.metadata_dir), admission of devices to its instances, and the management API served
// on the admin listener. Without a `tenancy:` section only the development instance exists.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace mqgw {

class AdminServer;
class ApiRuntime;
namespace api {
class Dispatcher;
}

class Console {
 public:
  Console();
  ~Console();
  // Before any connection: opens the registry (creating the main account's first AccessKey on
  // first start) and installs admission. `adminUrl` goes into the root credentials profile.
  // With a clustered backend that shares metadata (meta_put) the registry waits for the
  // backend's records and only then bootstraps (finishLoad); every change also goes there.
  std::optional<std::string> open(const config::Config& cfg, const std::string& adminUrl);
  // After the backend's load (every shared metadata record applied), before listeners accept.
  void finishLoad();
  // Once the listeners are bound: the management API behind `admin` (null: no admin listener).
  void serveApi(AdminServer* admin, const config::Config& cfg,
                const std::vector<uint16_t>& boundPorts);

 private:
  std::unique_ptr<ApiRuntime> runtime_;
  std::unique_ptr<api::Dispatcher> dispatcher_;
  bool replicated_ = false;  // the registry follows the storage backend's metadata
};

}  // namespace mqgw
