// Instances and storage instances: create, list, get, delete, spec updates and binding.
#include <limits>

#include "api/actions.h"

namespace mqgw::api {
namespace {

using nlohmann::json;
using resources::NamespaceType;
using resources::Registry;
using resources::Spec;

// Absent Spec fields keep the value already in *spec.
void overlaySpec(Params& params, const json& object, Spec* spec) {
  Params inner(object);
  constexpr int64_t kMax = std::numeric_limits<uint32_t>::max();
  auto field = [&](const char* name, uint32_t* target) {
    if (auto v = inner.optionalInt(name, 1, kMax)) *target = static_cast<uint32_t>(*v);
  };
  field("MaxConnections", &spec->maxConnections);
  field("MaxPublishTps", &spec->maxPublishTps);
  field("MaxSubscriptionsPerClient", &spec->maxSubscriptionsPerClient);
  field("MaxMessageSize", &spec->maxMessageSize);
  params.nest("Spec", inner);
}

NamespaceType readNamespace(Params& params) {
  auto word = params.optionalString("NamespaceType");
  if (!word) return NamespaceType::Dedicated;
  auto type = parseNamespace(*word);
  if (!type) params.invalid("NamespaceType", "must be \"dedicated\" or \"shared\"");
  return type.value_or(NamespaceType::Dedicated);
}

Outcome createInstance(ActionContext& c) {
  Registry::InstanceRequest r;
  r.name = c.params.requiredString("InstanceName");
  r.region = c.params.optionalString("Region").value_or("");
  r.namespaceType = readNamespace(c.params);
  if (auto spec = c.params.optionalObject("Spec")) overlaySpec(c.params, *spec, &r.spec);
  MQGW_API_CHECK_PARAMS(c);
  return single(c.registry.createInstance(c.caller, r), "Instance");
}

Outcome updateInstanceSpec(ActionContext& c) {
  std::string id = c.params.requiredString("InstanceId");
  auto specObject = c.params.optionalObject("Spec");
  if (!specObject && !c.params.error()) c.params.invalid("Spec", "is required");
  MQGW_API_CHECK_PARAMS(c);
  auto current = c.registry.getInstance(c.caller, id);
  if (!current.ok()) return failed(*current.error);
  Spec spec = current.value->spec;
  overlaySpec(c.params, *specObject, &spec);
  MQGW_API_CHECK_PARAMS(c);
  return single(c.registry.updateSpec(c.caller, id, spec), "Instance");
}

Outcome createStorage(ActionContext& c) {
  Registry::StorageRequest r;
  r.name = c.params.requiredString("Name");
  r.kind = c.params.requiredString("Kind");
  r.namespaceType = readNamespace(c.params);
  r.settings = c.params.optionalStringMap("Settings").value_or(r.settings);
  MQGW_API_CHECK_PARAMS(c);
  return single(c.registry.createStorage(c.caller, r), "StorageInstance");
}

// An action of one required id field answered by `call`.
template <class F>
Action byId(const char* field, F call) {
  return sync([field, call](ActionContext& c) -> Outcome {
    std::string id = c.params.requiredString(field);
    MQGW_API_CHECK_PARAMS(c);
    return call(c, id);
  });
}

}  // namespace

void addInstanceActions(ActionTable& t) {
  t["CreateInstance"] = sync(createInstance);
  t["ListInstances"] = sync([](ActionContext& c) {
    return list(c.registry.listInstances(c.caller), "Instances");
  });
  t["GetInstance"] = byId("InstanceId", [](ActionContext& c, const std::string& id) {
    return single(c.registry.getInstance(c.caller, id), "Instance");
  });
  t["DeleteInstance"] = byId("InstanceId", [](ActionContext& c, const std::string& id) {
    return nothing(c.registry.deleteInstance(c.caller, id));
  });
  t["UpdateInstanceSpec"] = sync(updateInstanceSpec);
  t["CreateStorageInstance"] = sync(createStorage);
  t["ListStorageInstances"] = sync([](ActionContext& c) {
    return list(c.registry.listStorage(c.caller), "StorageInstances");
  });
  t["GetStorageInstance"] = byId("StorageInstanceId", [](ActionContext& c, const std::string& id) {
    return single(c.registry.getStorage(c.caller, id), "StorageInstance");
  });
  t["DeleteStorageInstance"] =
      byId("StorageInstanceId", [](ActionContext& c, const std::string& id) {
        return nothing(c.registry.deleteStorage(c.caller, id));
      });
  t["BindStorageInstance"] = sync([](ActionContext& c) {
    std::string instanceId = c.params.requiredString("InstanceId");
    std::string storageId = c.params.requiredString("StorageInstanceId");
    MQGW_API_CHECK_PARAMS(c);
    return single(c.registry.bind(c.caller, instanceId, storageId), "Instance");
  });
}

}  // namespace mqgw::api
