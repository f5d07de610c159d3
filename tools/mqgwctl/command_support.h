// Helpers shared by the commands_*.cc tables.
#pragma once

#include "commands.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mqgw::ctl {

// A resource group such as `instance`: needs one subcommand; global flags fall through to the root.
CLI::App* addGroup(CLI::App& parent, const std::string& name, const std::string& description);

OutputSpec objectOutput(std::string key, std::string quietPath = "");
OutputSpec listOutput(std::string key, std::vector<Column> columns);
OutputSpec doneOutput(std::string text);

// A string flag copied into the body under `key` (required flags always, optional ones when given).
struct StringField {
  std::string flag;  // "--instance-id"
  std::string key;   // "InstanceId"
  std::string help;
  bool required = true;
};

// A command whose body is only string flags. `output` sees the finished body (for "deleted <id>").
CLI::App* addStringCommand(CLI::App& group, const std::string& name, const std::string& help,
                           const CommandContext& ctx, const std::string& action,
                           std::vector<StringField> fields,
                           std::function<OutputSpec(const Json& body)> output);

// Flag names shared by many commands.
StringField instanceIdField();

// Sets body[key] = value when the option was given on the command line.
template <typename T>
void setIfGiven(Json& body, const char* key, const CLI::Option* option, const T& value) {
  if (option->count() > 0) body[key] = value;
}

}  // namespace mqgw::ctl
