// The mqgwctl command line: global flags, the API commands (commands.h) and the two local
// commands (configure, password), parsed into a CliModel and then run.
// Exit codes: 0 ok, 1 the API refused (Error <Code>: ...), 2 usage, 3 connection or credentials.
#pragma once

#include "credentials.h"
#include "invocation.h"
#include "output.h"

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace mqgw::ctl {

enum ExitCode { kExitOk = 0, kExitApiError = 1, kExitUsage = 2, kExitConnection = 3 };

struct CliModel {
  CredentialFlags credentials;
  OutputFlags output;
  Invocation invocation;  // set by an API command
  enum class Local { None, Configure, Password } local = Local::None;
  std::string fromFile;   // configure --from-file
  std::string clientId;   // password --client-id
  std::string secret;     // password --secret
};

std::unique_ptr<CLI::App> buildApp(CliModel* model, NowMs now);

// Parses `args` (without the program name). False with CLI11's message on a usage error; true
// for --help / --version too, with their text in `error` and `helped` set.
bool parseArgs(CliModel* model, const std::vector<std::string>& args, const NowMs& now,
               std::string* message, bool* helped);

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const EnvLookup& env);

}  // namespace mqgw::ctl
