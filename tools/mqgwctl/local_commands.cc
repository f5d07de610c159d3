#include "local_commands.h"

#include "resources/crypto.h"

#include <ostream>

namespace mqgw::ctl {
namespace {

// The profile to write: copied from --from-file, or made of the three flags.
bool profileToWrite(const CliModel& m, const std::string& profile, Credentials* out,
                    std::string* error, int* code) {
  *code = kExitConnection;
  if (m.fromFile.empty()) {
    const Credentials& flags = m.credentials.values;
    if (flags.accessKeyId.empty() || flags.accessKeySecret.empty()) {
      *error = "configure needs --from-file FILE, or --access-key-id and --access-key-secret";
      *code = kExitUsage;
      return false;
    }
    *out = flags;
    if (out->endpoint.empty()) out->endpoint = kDefaultEndpoint;
    return true;
  }
  IniFile source;
  bool exists = false;
  if (!readIniFile(m.fromFile, &source, &exists, error)) return false;
  const IniSection* section = exists ? source.find(profile) : nullptr;
  if (section == nullptr) {
    *error = exists ? "profile '" + profile + "' not found in " + m.fromFile
                    : m.fromFile + ": No such file or directory";
    return false;
  }
  auto get = [section](const char* key) {
    const std::string* v = section->find(key);
    return v ? *v : std::string();
  };
  *out = Credentials{get("endpoint"), get("access_key_id"), get("access_key_secret")};
  if (out->endpoint.empty()) out->endpoint = kDefaultEndpoint;
  if (out->accessKeyId.empty() || out->accessKeySecret.empty()) {
    *error = m.fromFile + ": profile '" + profile + "' lacks access_key_id or access_key_secret";
    return false;
  }
  return true;
}

}  // namespace

int runConfigure(const CliModel& m, std::ostream& out, std::ostream& err, const EnvLookup& env) {
  std::string profile = profileName(m.credentials, env);
  std::string target = credentialsPath(m.credentials, env);
  Credentials creds;
  std::string error;
  int code = kExitOk;
  IniFile file;
  bool exists = false;
  if (!profileToWrite(m, profile, &creds, &error, &code) ||
      !readIniFile(target, &file, &exists, &error)) {
    err << "mqgwctl: " << error << "\n";
    return code == kExitOk ? kExitConnection : code;
  }
  IniSection& section = file.upsert(profile);
  section.set("endpoint", creds.endpoint);
  section.set("access_key_id", creds.accessKeyId);
  section.set("access_key_secret", creds.accessKeySecret);
  if (!writeIniFile(target, file, &error)) {
    err << "mqgwctl: " << error << "\n";
    return kExitConnection;
  }
  out << "profile '" << profile << "' (" << creds.accessKeyId << " at " << creds.endpoint
      << ") written to " << target << "\n";
  return kExitOk;
}

int runPassword(const CliModel& m, std::ostream& out, std::ostream& err, const EnvLookup& env) {
  std::string secret = m.secret;
  if (secret.empty()) {
    Credentials creds;
    std::string error;
    if (!resolveCredentials(m.credentials, env, &creds, &error)) {
      err << "mqgwctl: " << error << "\n";
      return kExitConnection;
    }
    std::string missing = missingCredentials(creds, m.credentials, env, /*needKeyId=*/false);
    if (!missing.empty()) {
      err << "mqgwctl: --secret not given and " << missing << "\n";
      return kExitConnection;
    }
    secret = creds.accessKeySecret;
  }
  out << crypto::devicePassword(secret, m.clientId) << "\n";
  return kExitOk;
}

}  // namespace mqgw::ctl
