// The API commands of mqgwctl, one registration function per group of resources. Each command's
// callback (run by CLI11 at the end of a successful parse) fills the shared Invocation with its
// action, request body and output shape; cli.cc then sends it.
#pragma once

#include "invocation.h"

#include <CLI/CLI.hpp>

namespace mqgw::ctl {

struct CommandContext {
  Invocation* out;
  NowMs now;
};

void addInstanceCommands(CLI::App& app, const CommandContext& ctx);  // instance, storage
void addTopicCommands(CLI::App& app, const CommandContext& ctx);     // topic, group
void addAccountCommands(CLI::App& app, const CommandContext& ctx);   // account, access-key
void addTokenCommands(CLI::App& app, const CommandContext& ctx);     // token, credential
void addDataCommands(CLI::App& app, const CommandContext& ctx);      // message, session, access-point, call

}  // namespace mqgw::ctl
