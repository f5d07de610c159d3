// `mqgwctl token ...` and `mqgwctl credential ...` (device credentials).
#include "command_support.h"
#include "duration.h"

namespace mqgw::ctl {
namespace {

// R, W or R,W as the API spells them; W,R and RW are accepted too.
std::string normalizeActions(const std::string& text) {
  if (text == "R" || text == "W") return text;
  if (text == "R,W" || text == "W,R" || text == "RW") return "R,W";
  throw CLI::ValidationError("--actions", "'" + text + "' is not R, W or R,W");
}

void addTokenApply(CLI::App& group, const CommandContext& ctx) {
  struct Options {
    std::string instanceId, actions, expireIn;
    std::vector<std::string> resources;
    int64_t expireTime = 0;
    CLI::Option *expireInOpt, *expireTimeOpt;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = group.add_subcommand("apply", "Issue a token (ApplyToken)");
  cmd->fallthrough();
  cmd->add_option("--instance-id", o->instanceId, "Instance ID")->required();
  cmd->add_option("--resources", o->resources, "Topic filters, comma-separated or repeated")
      ->required()
      ->delimiter(',');
  cmd->add_option("--actions", o->actions, "R (subscribe), W (publish) or R,W")->required();
  o->expireInOpt = cmd->add_option("--expire-in", o->expireIn, "Lifetime: 3600s, 30m, 12h, 7d");
  o->expireTimeOpt = cmd->add_option("--expire-time", o->expireTime, "Expiry, Unix milliseconds");
  o->expireInOpt->excludes(o->expireTimeOpt);
  cmd->callback([ctx, o] {
    int64_t expireMs = o->expireTime;
    if (o->expireInOpt->count() > 0) {
      int64_t lifetime = 0;
      std::string error;
      if (!parseDuration(o->expireIn, &lifetime, &error))
        throw CLI::ValidationError("--expire-in", error);
      expireMs = ctx.now() + lifetime;
    } else if (o->expireTimeOpt->count() == 0) {
      throw CLI::ValidationError("token apply", "give --expire-in or --expire-time");
    }
    *ctx.out = Invocation{"ApplyToken",
                          {{"InstanceId", o->instanceId},
                           {"Resources", o->resources},
                           {"Actions", normalizeActions(o->actions)},
                           {"ExpireTime", expireMs}},
                          objectOutput("", "Token")};
  });
}

}  // namespace

void addTokenCommands(CLI::App& app, const CommandContext& ctx) {
  CLI::App* token = addGroup(app, "token", "Tokens for the Token username mode");
  addTokenApply(*token, ctx);
  const StringField tokenField{"--token", "Token", "The token"};
  addStringCommand(*token, "query", "Show a token and whether it is usable now (QueryToken)", ctx,
                   "QueryToken", {instanceIdField(), tokenField},
                   [](const Json&) { return objectOutput(""); });
  addStringCommand(*token, "revoke", "Revoke a token (RevokeToken)", ctx, "RevokeToken",
                   {instanceIdField(), tokenField}, [](const Json& body) {
                     return doneOutput("revoked " + body.value("Token", std::string()));
                   });

  CLI::App* credential = addGroup(app, "credential", "Device credentials (one key pair per client)");
  const StringField clientId{"--client-id", "ClientId", "Client ID: <GroupID>@@@<DeviceID>"};
  auto shown = [](const Json&) {
    return objectOutput("DeviceCredential", "DeviceCredential.DeviceAccessKeyId");
  };
  addStringCommand(*credential, "register", "Create a device credential (RegisterDeviceCredential)",
                   ctx, "RegisterDeviceCredential", {instanceIdField(), clientId}, shown);
  addStringCommand(*credential, "get", "Show a device credential (GetDeviceCredential)", ctx,
                   "GetDeviceCredential", {instanceIdField(), clientId}, shown);
  addStringCommand(*credential, "unregister",
                   "Delete a device credential (UnRegisterDeviceCredential)", ctx,
                   "UnRegisterDeviceCredential", {instanceIdField(), clientId},
                   [](const Json& body) {
                     return doneOutput("unregistered " + body.value("ClientId", std::string()));
                   });
  addStringCommand(*credential, "refresh", "Issue a new secret (RefreshDeviceCredential)", ctx,
                   "RefreshDeviceCredential", {instanceIdField(), clientId}, shown);
}

}  // namespace mqgw::ctl
