// `mqgwctl instance ...` and `mqgwctl storage ...`.
#include "command_support.h"

namespace mqgw::ctl {
namespace {

const std::vector<Column> kInstanceColumns = {
    {"InstanceId", "InstanceId"},   {"InstanceName", "InstanceName"},
    {"Region", "Region"},           {"NamespaceType", "NamespaceType"},
    {"Status", "Status"},           {"StorageInstanceId", "StorageInstanceId"},
    {"MaxConnections", "Spec.MaxConnections"}, {"CreateTime", "CreateTime"}};

const std::vector<Column> kStorageColumns = {
    {"StorageInstanceId", "StorageInstanceId"}, {"Name", "Name"}, {"Kind", "Kind"},
    {"NamespaceType", "NamespaceType"}, {"BoundInstanceId", "BoundInstanceId"},
    {"CreateTime", "CreateTime"}};

// The four limits of an instance's Spec; only the flags given go into the (partial) Spec.
struct SpecFlags {
  uint32_t values[4] = {};
  CLI::Option* options[4] = {};
  static constexpr const char* kFlags[4] = {"--max-connections", "--max-publish-tps",
                                            "--max-subscriptions-per-client", "--max-message-size"};
  static constexpr const char* kKeys[4] = {"MaxConnections", "MaxPublishTps",
                                           "MaxSubscriptionsPerClient", "MaxMessageSize"};

  void add(CLI::App* cmd) {
    for (int i = 0; i < 4; ++i)
      options[i] = cmd->add_option(kFlags[i], values[i], std::string("Spec.") + kKeys[i])
                       ->check(CLI::PositiveNumber);
  }
  Json spec() const {
    Json out = Json::object();
    for (int i = 0; i < 4; ++i) setIfGiven(out, kKeys[i], options[i], values[i]);
    return out;
  }
};

CLI::Option* addNamespaceType(CLI::App* cmd, std::string* value) {
  return cmd->add_option("--namespace-type", *value, "dedicated (default) or shared")
      ->check(CLI::IsMember({"dedicated", "shared"}));
}

void addInstanceCreate(CLI::App& group, const CommandContext& ctx) {
  struct Options {
    std::string name, region, namespaceType;
    CLI::Option *regionOpt, *namespaceOpt;
    SpecFlags spec;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = group.add_subcommand("create", "Create an instance (CreateInstance)");
  cmd->fallthrough();
  cmd->add_option("--name", o->name, "Instance name")->required();
  o->regionOpt = cmd->add_option("--region", o->region, "Region (default: the gateway's)");
  o->namespaceOpt = addNamespaceType(cmd, &o->namespaceType);
  o->spec.add(cmd);
  cmd->callback([ctx, o] {
    Invocation inv{"CreateInstance", {{"InstanceName", o->name}}, {}};
    setIfGiven(inv.body, "Region", o->regionOpt, o->region);
    setIfGiven(inv.body, "NamespaceType", o->namespaceOpt, o->namespaceType);
    Json spec = o->spec.spec();
    if (!spec.empty()) inv.body["Spec"] = spec;
    inv.output = objectOutput("Instance", "Instance.InstanceId");
    *ctx.out = std::move(inv);
  });
}

void addInstanceUpdateSpec(CLI::App& group, const CommandContext& ctx) {
  struct Options {
    std::string instanceId;
    SpecFlags spec;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = group.add_subcommand("update-spec", "Change limits (UpdateInstanceSpec)");
  cmd->fallthrough();
  cmd->add_option("--instance-id", o->instanceId, "Instance ID")->required();
  o->spec.add(cmd);
  cmd->callback([ctx, o] {
    Json spec = o->spec.spec();
    if (spec.empty())
      throw CLI::ValidationError("update-spec", "give at least one --max-* flag");
    *ctx.out = Invocation{"UpdateInstanceSpec", {{"InstanceId", o->instanceId}, {"Spec", spec}},
                          objectOutput("Instance", "Instance.InstanceId")};
  });
}

void addStorageCreate(CLI::App& group, const CommandContext& ctx) {
  struct Options {
    std::string name, kind, namespaceType;
    std::vector<std::string> settings;
    CLI::Option* namespaceOpt;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = group.add_subcommand("create", "Create a storage instance (CreateStorageInstance)");
  cmd->fallthrough();
  cmd->add_option("--name", o->name, "Name")->required();
  cmd->add_option("--kind", o->kind, "Backend: native, memory, kafka, amqp")->required();
  o->namespaceOpt = addNamespaceType(cmd, &o->namespaceType);
  cmd->add_option("--setting", o->settings, "Backend setting key=value (repeatable)");
  cmd->callback([ctx, o] {
    Invocation inv{"CreateStorageInstance", {{"Name", o->name}, {"Kind", o->kind}}, {}};
    setIfGiven(inv.body, "NamespaceType", o->namespaceOpt, o->namespaceType);
    if (!o->settings.empty()) {
      Json settings = Json::object();
      for (const auto& s : o->settings) {
        size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0)
          throw CLI::ValidationError("--setting", "'" + s + "' is not key=value");
        settings[s.substr(0, eq)] = s.substr(eq + 1);
      }
      inv.body["Settings"] = settings;
    }
    inv.output = objectOutput("StorageInstance", "StorageInstance.StorageInstanceId");
    *ctx.out = std::move(inv);
  });
}

std::string bodyText(const Json& body, const char* key) { return body.value(key, std::string()); }

}  // namespace

void addInstanceCommands(CLI::App& app, const CommandContext& ctx) {
  CLI::App* instance = addGroup(app, "instance", "Instances");
  addInstanceCreate(*instance, ctx);
  addStringCommand(*instance, "list", "List instances (ListInstances)", ctx, "ListInstances", {},
                   [](const Json&) { return listOutput("Instances", kInstanceColumns); });
  addStringCommand(*instance, "get", "Show an instance (GetInstance)", ctx, "GetInstance",
                   {instanceIdField()},
                   [](const Json&) { return objectOutput("Instance", "Instance.InstanceId"); });
  addStringCommand(*instance, "delete", "Delete an instance (DeleteInstance)", ctx,
                   "DeleteInstance", {instanceIdField()}, [](const Json& body) {
                     return doneOutput("deleted " + bodyText(body, "InstanceId"));
                   });
  addInstanceUpdateSpec(*instance, ctx);
  addStringCommand(
      *instance, "bind", "Bind a storage instance, for good (BindStorageInstance)", ctx,
      "BindStorageInstance",
      {instanceIdField(), {"--storage-id", "StorageInstanceId", "Storage instance ID (store-...)"}},
      [](const Json&) { return objectOutput("Instance", "Instance.InstanceId"); });

  CLI::App* storage = addGroup(app, "storage", "Storage instances");
  addStorageCreate(*storage, ctx);
  addStringCommand(*storage, "list", "List storage instances (ListStorageInstances)", ctx,
                   "ListStorageInstances", {},
                   [](const Json&) { return listOutput("StorageInstances", kStorageColumns); });
  const StringField storageId{"--storage-id", "StorageInstanceId", "Storage instance ID"};
  addStringCommand(*storage, "get", "Show a storage instance (GetStorageInstance)", ctx,
                   "GetStorageInstance", {storageId}, [](const Json&) {
                     return objectOutput("StorageInstance", "StorageInstance.StorageInstanceId");
                   });
  addStringCommand(*storage, "delete", "Delete a storage instance (DeleteStorageInstance)", ctx,
                   "DeleteStorageInstance", {storageId}, [](const Json& body) {
                     return doneOutput("deleted " + bodyText(body, "StorageInstanceId"));
                   });
}

}  // namespace mqgw::ctl
