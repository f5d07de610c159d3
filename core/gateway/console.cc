#include "gateway/console.h"

#include <spdlog/spdlog.h>

#include "admin/admin_server.h"
#include "api/dispatcher.h"
#include "gateway/api_runtime.h"
#include "gateway/gateway.h"
#include "resources/registry.h"
#include "tenancy/tenancy.h"

namespace mqgw {

Console::Console() = default;
Console::~Console() = default;

std::optional<std::string> Console::open(const config::Config& cfg, const std::string& adminUrl) {
  tenancy::Settings s;
  s.developmentInstance = cfg.developmentInstance();
  s.workers = cfg.workers;
  if (!cfg.tenancy) {
    tenancy::init(nullptr, s);
    return std::nullopt;
  }
  const config::Tenancy& t = *cfg.tenancy;
  s.maxTopicLength = t.maxTopicLength;
  resources::Registry::Options o;
  o.dbPath = t.metadataDir + "/metadata.sqlite";
  o.region = t.region;
  o.servedKinds = {cfg.storageBackend};
  o.bootstrapCredentialsFile = t.metadataDir + "/root-credentials";
  o.bootstrapEndpoint = adminUrl;
  StorageBinding& storage = Gateway::get().storage();
  replicated_ = storage.clustered() && storage.ops()->meta_put;
  o.deferBootstrap = replicated_;  // another node may have created the main account already
  std::string error;
  std::unique_ptr<resources::Registry> registry = resources::Registry::open(o, &error);
  if (!registry) return "tenancy.metadata_dir " + t.metadataDir + ": " + error;
  if (replicated_) {
    registry->setReplicator([&storage](const std::string& key, const std::string& value) {
      int rc = storage.ops()->meta_put(storage.backend(), {key.data(), key.size()},
                                       reinterpret_cast<const uint8_t*>(value.data()),
                                       value.size());
      if (rc != MQGW_OK)
        spdlog::warn("console: metadata record {} not handed to storage '{}' ({})", key,
                     storage.name(), rc);
    });
    spdlog::info("console: metadata shared through storage '{}'", storage.name());
  }
  tenancy::init(std::move(registry), s);
  spdlog::info("console: metadata in {}, development instance {}", t.metadataDir,
               s.developmentInstance ? "on" : "off");
  return std::nullopt;
}

void Console::finishLoad() {
  if (resources::Registry* registry = tenancy::registry(); registry && replicated_)
    registry->finishReplicatedLoad();
}

void Console::serveApi(AdminServer* admin, const config::Config& cfg,
                       const std::vector<uint16_t>& boundPorts) {
  resources::Registry* registry = tenancy::registry();
  if (!registry) return;
  if (!admin) {
    spdlog::warn("console: no admin listener, so no management API (add `admin:`)");
    return;
  }
  runtime_ = std::make_unique<ApiRuntime>(cfg, boundPorts);
  dispatcher_ = std::make_unique<api::Dispatcher>(*registry, runtime_.get());
  admin->setApiHandler(dispatcher_.get());
}

}  // namespace mqgw
