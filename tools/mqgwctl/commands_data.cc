// `mqgwctl message send`, `session query`, `access-point list` and the raw `call <Action>`.
#include "command_support.h"
#include "resources/crypto.h"

#include <fstream>
#include <sstream>

namespace mqgw::ctl {
namespace {

const std::vector<Column> kAccessPointColumns = {
    {"Transport", "Transport"}, {"Listener", "Listener"}, {"Port", "Port"}, {"Path", "Path"},
    {"PublicEndpoint", "PublicEndpoint"}, {"PrivateEndpoint", "PrivateEndpoint"}};

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CLI::ValidationError("--payload-file", "cannot read " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void addMessageSend(CLI::App& app, const CommandContext& ctx) {
  struct Options {
    std::string instanceId, topic, payload, payloadFile;
    int qos = 1;
    bool retain = false, base64 = false;
    CLI::Option *payloadOpt, *fileOpt, *qosOpt;
  };
  auto o = std::make_shared<Options>();
  CLI::App* message = addGroup(app, "message", "Messages");
  CLI::App* cmd = message->add_subcommand("send", "Publish as the server (SendMessage)");
  cmd->fallthrough();
  cmd->add_option("--instance-id", o->instanceId, "Instance ID")->required();
  cmd->add_option("--topic", o->topic, "MQTT topic under a parent topic")->required();
  o->payloadOpt = cmd->add_option("--payload", o->payload, "Payload text");
  o->fileOpt = cmd->add_option("--payload-file", o->payloadFile, "Payload bytes from a file");
  o->payloadOpt->excludes(o->fileOpt);
  cmd->add_flag("--base64", o->base64, "--payload is already base64")->needs(o->payloadOpt);
  o->qosOpt = cmd->add_option("--qos", o->qos, "0 or 1 (default 1)")->check(CLI::Range(0, 1));
  cmd->add_flag("--retain", o->retain, "Keep as the topic's retained message");
  cmd->callback([ctx, o] {
    Invocation inv{"SendMessage", {{"InstanceId", o->instanceId}, {"MqttTopic", o->topic}}, {}};
    if (o->fileOpt->count() > 0) {
      inv.body["Payload"] = crypto::base64(readWholeFile(o->payloadFile));
      inv.body["PayloadEncoding"] = "base64";
    } else if (o->payloadOpt->count() > 0) {
      inv.body["Payload"] = o->payload;
      if (o->base64) inv.body["PayloadEncoding"] = "base64";
    } else {
      throw CLI::ValidationError("message send", "give --payload or --payload-file");
    }
    setIfGiven(inv.body, "Qos", o->qosOpt, o->qos);
    if (o->retain) inv.body["Retain"] = true;
    inv.output = objectOutput("", "MsgId");
    *ctx.out = std::move(inv);
  });
}

void addSessionQuery(CLI::App& app, const CommandContext& ctx) {
  struct Options {
    std::string instanceId;
    std::vector<std::string> clientIds;
  };
  auto o = std::make_shared<Options>();
  CLI::App* session = addGroup(app, "session", "Device sessions");
  CLI::App* cmd = session->add_subcommand(
      "query", "Online status of one client (QuerySessionByClientId) or several (Batch...)");
  cmd->fallthrough();
  cmd->add_option("--instance-id", o->instanceId, "Instance ID")->required();
  cmd->add_option("--client-id", o->clientIds, "Client ID; repeat or comma-separate for several")
      ->required()
      ->delimiter(',');
  cmd->callback([ctx, o] {
    if (o->clientIds.size() == 1) {
      *ctx.out = Invocation{"QuerySessionByClientId",
                            {{"InstanceId", o->instanceId}, {"ClientId", o->clientIds[0]}},
                            objectOutput("")};
      return;
    }
    *ctx.out = Invocation{"BatchQuerySessionByClientIds",
                          {{"InstanceId", o->instanceId}, {"ClientIdList", o->clientIds}},
                          listOutput("OnlineStatusList", {{"ClientId", "ClientId"},
                                                          {"OnlineStatus", "OnlineStatus"}})};
  });
}

void addCall(CLI::App& app, const CommandContext& ctx) {
  struct Options {
    std::string action, body = "{}";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("call", "Call any API action with a raw JSON body");
  cmd->fallthrough();
  cmd->add_option("action", o->action, "Action name, e.g. ListInstances")->required();
  cmd->add_option("--body", o->body, "JSON object (default {})");
  cmd->callback([ctx, o] {
    Json body = Json::parse(o->body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) throw CLI::ValidationError("--body", "not a JSON object: " + o->body);
    if (o->action.empty() || o->action.find_first_of("/?# ") != std::string::npos)
      throw CLI::ValidationError("action", "'" + o->action + "' is not an action name");
    *ctx.out = Invocation{o->action, std::move(body), OutputSpec{}};
  });
}

}  // namespace

void addDataCommands(CLI::App& app, const CommandContext& ctx) {
  addMessageSend(app, ctx);
  addSessionQuery(app, ctx);
  CLI::App* points = addGroup(app, "access-point", "How devices reach an instance");
  addStringCommand(*points, "list", "List access points (ListAccessPoints)", ctx,
                   "ListAccessPoints", {instanceIdField()},
                   [](const Json&) { return listOutput("AccessPoints", kAccessPointColumns); });
  addCall(app, ctx);
}

}  // namespace mqgw::ctl
