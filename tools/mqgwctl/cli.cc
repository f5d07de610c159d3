#include "cli.h"

#include "api_client.h"
#include "commands.h"
#include "local_commands.h"

#include <chrono>
#include <ostream>
#include <sstream>

namespace mqgw::ctl {
namespace {

int64_t wallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void addGlobalFlags(CLI::App& app, CliModel* m) {
  const char* creds = "Credentials";
  app.add_option("--endpoint", m->credentials.values.endpoint,
                 "API endpoint, http://host:port (env MQGW_ENDPOINT)")->group(creds);
  app.add_option("--access-key-id", m->credentials.values.accessKeyId,
                 "AccessKey ID (env MQGW_ACCESS_KEY_ID)")->group(creds);
  app.add_option("--access-key-secret", m->credentials.values.accessKeySecret,
                 "AccessKey secret (env MQGW_ACCESS_KEY_SECRET)")->group(creds);
  app.add_option("--profile", m->credentials.profile,
                 "Profile in the credentials file (env MQGW_PROFILE, default \"default\")")
      ->group(creds);
  app.add_option("--credentials-file", m->credentials.credentialsFile,
                 "Credentials file (env MQGW_CREDENTIALS_FILE, default ~/.mqgw/credentials)")
      ->group(creds);
  app.add_flag("--json", m->output.json, "Print the response JSON")->group("Output");
  app.add_flag("-q,--quiet", m->output.quiet, "Print only the ID (create, get, list)")
      ->group("Output");
}

void addLocalCommands(CLI::App& app, CliModel* m) {
  CLI::App* configure = app.add_subcommand(
      "configure", "Write a profile to the credentials file (mode 0600): copy one with "
                   "--from-file, or give --endpoint --access-key-id --access-key-secret");
  configure->fallthrough();
  configure->add_option("--from-file", m->fromFile,
                        "A profile file such as <metadata_dir>/root-credentials");
  configure->callback([m] { m->local = CliModel::Local::Configure; });

  CLI::App* password = app.add_subcommand(
      "password", "Print the MQTT password Base64(HMAC-SHA1(secret, client id))");
  password->fallthrough();
  password->add_option("--client-id", m->clientId, "Client ID: <GroupID>@@@<DeviceID>")
      ->required();
  password->add_option("--secret", m->secret,
                       "AccessKey or DeviceAccessKey secret (default: the profile's secret)");
  password->callback([m] { m->local = CliModel::Local::Password; });
}

int runApi(const CliModel& m, std::ostream& out, std::ostream& err, const EnvLookup& env) {
  Credentials creds;
  std::string error;
  if (!resolveCredentials(m.credentials, env, &creds, &error)) {
    err << "mqgwctl: " << error << "\n";
    return kExitConnection;
  }
  std::string missing = missingCredentials(creds, m.credentials, env, /*needKeyId=*/true);
  if (!missing.empty()) {
    err << "mqgwctl: " << missing << "\n";
    return kExitConnection;
  }
  ApiResult result = callApi(creds, m.invocation.action, m.invocation.body);
  switch (result.kind) {
    case ApiResult::Kind::Ok:
      out << renderResponse(m.invocation.output, result.response, m.output);
      return kExitOk;
    case ApiResult::Kind::ApiError:
      err << result.message << "\n";
      return kExitApiError;
    case ApiResult::Kind::Transport:
      break;
  }
  err << "mqgwctl: " << result.message << "\n";
  return kExitConnection;
}

}  // namespace

std::unique_ptr<CLI::App> buildApp(CliModel* model, NowMs now) {
  auto app = std::make_unique<CLI::App>(
      "mqgwctl: manage an mqgw gateway through its management API", "mqgwctl");
  app->set_version_flag("--version", std::string("mqgwctl ") + MQGW_VERSION);
  app->require_subcommand(1);
  app->fallthrough();
  addGlobalFlags(*app, model);
  CommandContext ctx{&model->invocation, std::move(now)};
  addInstanceCommands(*app, ctx);
  addTopicCommands(*app, ctx);
  addAccountCommands(*app, ctx);
  addTokenCommands(*app, ctx);
  addDataCommands(*app, ctx);
  addLocalCommands(*app, model);
  return app;
}

bool parseArgs(CliModel* model, const std::vector<std::string>& args, const NowMs& now,
               std::string* message, bool* helped) {
  auto app = buildApp(model, now);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  *helped = false;
  try {
    app->parse(reversed);
    return true;
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    int code = app->exit(e, out, err);
    *helped = code == 0;
    *message = out.str() + err.str();
    return code == 0;
  }
}

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const EnvLookup& env) {
  CliModel model;
  std::string message;
  bool helped = false;
  if (!parseArgs(&model, args, wallClockMs, &message, &helped)) {
    err << message;
    return kExitUsage;
  }
  if (helped) {
    out << message;
    return kExitOk;
  }
  switch (model.local) {
    case CliModel::Local::Configure: return runConfigure(model, out, err, env);
    case CliModel::Local::Password: return runPassword(model, out, err, env);
    case CliModel::Local::None: break;
  }
  return runApi(model, out, err, env);
}

}  // namespace mqgw::ctl
