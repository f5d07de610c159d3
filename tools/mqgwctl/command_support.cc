#include "command_support.h"

namespace mqgw::ctl {

CLI::App* addGroup(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(1);
  group->fallthrough();
  return group;
}

OutputSpec objectOutput(std::string key, std::string quietPath) {
  OutputSpec spec;
  spec.shape = OutputSpec::Shape::Object;
  spec.key = std::move(key);
  spec.quietPath = std::move(quietPath);
  return spec;
}

OutputSpec listOutput(std::string key, std::vector<Column> columns) {
  OutputSpec spec;
  spec.shape = OutputSpec::Shape::List;
  spec.key = std::move(key);
  spec.columns = std::move(columns);
  return spec;
}

OutputSpec doneOutput(std::string text) {
  OutputSpec spec;
  spec.shape = OutputSpec::Shape::Done;
  spec.doneText = std::move(text);
  return spec;
}

CLI::App* addStringCommand(CLI::App& group, const std::string& name, const std::string& help,
                           const CommandContext& ctx, const std::string& action,
                           std::vector<StringField> fields,
                           std::function<OutputSpec(const Json& body)> output) {
  CLI::App* cmd = group.add_subcommand(name, help);
  cmd->fallthrough();
  auto values = std::make_shared<std::vector<std::string>>(fields.size());
  auto options = std::make_shared<std::vector<CLI::Option*>>();
  for (size_t i = 0; i < fields.size(); ++i) {
    CLI::Option* opt = cmd->add_option(fields[i].flag, (*values)[i], fields[i].help);
    if (fields[i].required) opt->required();
    options->push_back(opt);
  }
  cmd->callback([ctx, action, fields, values, options, output] {
    Invocation inv;
    inv.action = action;
    for (size_t i = 0; i < fields.size(); ++i)
      setIfGiven(inv.body, fields[i].key.c_str(), (*options)[i], (*values)[i]);
    inv.output = output(inv.body);
    *ctx.out = std::move(inv);
  });
  return cmd;
}

StringField instanceIdField() {
  return {"--instance-id", "InstanceId", "Instance ID (mqtt-...)"};
}

}  // namespace mqgw::ctl
