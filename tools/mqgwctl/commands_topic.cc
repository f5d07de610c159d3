// `mqgwctl topic ...` (parent topics) and `mqgwctl group ...` (Group IDs).
#include "command_support.h"

namespace mqgw::ctl {
namespace {

const std::vector<Column> kTopicColumns = {{"Topic", "Topic"},
                                           {"MessageType", "MessageType"},
                                           {"Remark", "Remark"},
                                           {"CreateTime", "CreateTime"}};

const std::vector<Column> kGroupColumns = {
    {"GroupId", "GroupId"}, {"OwnerAccountId", "OwnerAccountId"}, {"CreateTime", "CreateTime"}};

void addTopicCreate(CLI::App& group, const CommandContext& ctx) {
  struct Options {
    std::string instanceId, topic, messageType, remark;
    CLI::Option *messageTypeOpt, *remarkOpt;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = group.add_subcommand("create", "Create a parent topic (CreateTopic)");
  cmd->fallthrough();
  cmd->add_option("--instance-id", o->instanceId, "Instance ID")->required();
  cmd->add_option("--topic", o->topic, "Parent topic: 3..64 of [A-Za-z0-9_-]")->required();
  o->messageTypeOpt = cmd->add_option("--message-type", o->messageType, "normal (default) or ordered")
                          ->check(CLI::IsMember({"normal", "ordered"}));
  o->remarkOpt = cmd->add_option("--remark", o->remark, "Free text, up to 128 characters");
  cmd->callback([ctx, o] {
    Invocation inv{"CreateTopic", {{"InstanceId", o->instanceId}, {"Topic", o->topic}}, {}};
    setIfGiven(inv.body, "MessageType", o->messageTypeOpt, o->messageType);
    setIfGiven(inv.body, "Remark", o->remarkOpt, o->remark);
    inv.output = objectOutput("Topic", "Topic.Topic");
    *ctx.out = std::move(inv);
  });
}

}  // namespace

void addTopicCommands(CLI::App& app, const CommandContext& ctx) {
  CLI::App* topic = addGroup(app, "topic", "Parent topics of an instance");
  addTopicCreate(*topic, ctx);
  addStringCommand(*topic, "list", "List parent topics (ListTopic)", ctx, "ListTopic",
                   {instanceIdField()},
                   [](const Json&) { return listOutput("Topics", kTopicColumns); });
  addStringCommand(*topic, "delete", "Delete a parent topic (DeleteTopic)", ctx, "DeleteTopic",
                   {instanceIdField(), {"--topic", "Topic", "Parent topic"}}, [](const Json& body) {
                     return doneOutput("deleted " + body.value("Topic", std::string()));
                   });

  CLI::App* group = addGroup(app, "group", "Group IDs of an instance");
  const StringField groupId{"--group-id", "GroupId", "Group ID: GID_... or GID-..."};
  addStringCommand(*group, "create", "Create a Group ID (CreateGroupId)", ctx, "CreateGroupId",
                   {instanceIdField(), groupId},
                   [](const Json&) { return objectOutput("Group", "Group.GroupId"); });
  addStringCommand(*group, "list", "List Group IDs (ListGroupId)", ctx, "ListGroupId",
                   {instanceIdField()},
                   [](const Json&) { return listOutput("GroupIds", kGroupColumns); });
  addStringCommand(*group, "delete", "Delete a Group ID (DeleteGroupId)", ctx, "DeleteGroupId",
                   {instanceIdField(), groupId}, [](const Json& body) {
                     return doneOutput("deleted " + body.value("GroupId", std::string()));
                   });
}

}  // namespace mqgw::ctl
