// Where mqgwctl finds its endpoint and AccessKey: for each value the first of the flags
// (--endpoint --access-key-id --access-key-secret), the environment (MQGW_ENDPOINT
// MQGW_ACCESS_KEY_ID MQGW_ACCESS_KEY_SECRET) and the profile (--profile / MQGW_PROFILE, default
// "default") of the credentials file (--credentials-file / MQGW_CREDENTIALS_FILE, default
// ~/.mqgw/credentials). The file is written with mode 0600 by `mqgwctl configure`.
#pragma once

#include "ini.h"

#include <functional>
#include <optional>
#include <string>

namespace mqgw::ctl {

inline constexpr const char* kDefaultEndpoint = "http://127.0.0.1:9090";

struct Credentials {
  std::string endpoint;
  std::string accessKeyId;
  std::string accessKeySecret;
};

// What the command line said; empty strings mean "not given".
struct CredentialFlags {
  Credentials values;
  std::string profile;
  std::string credentialsFile;
};

// The environment, injectable for tests (std::getenv in the CLI).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup processEnvironment();

// The profile name and the file it is read from / written to, after flags and environment.
std::string profileName(const CredentialFlags& flags, const EnvLookup& env);
std::string credentialsPath(const CredentialFlags& flags, const EnvLookup& env);

// Fills every value from its first source. The file is read only when flags and environment leave
// a value open. False with a message when the file cannot be parsed or when a profile named
// explicitly (flag or MQGW_PROFILE) is not in it. An endpoint found nowhere is kDefaultEndpoint;
// a missing key id or secret is left empty (see missingCredentials).
bool resolveCredentials(const CredentialFlags& flags, const EnvLookup& env, Credentials* out,
                        std::string* error);
// "" when the key id and secret are set, else a hint that says how to provide them.
std::string missingCredentials(const Credentials& c, const CredentialFlags& flags,
                               const EnvLookup& env, bool needKeyId);

// Reads an INI file; false with "<path>: <why>" when it cannot be read or parsed. `exists` is set
// false (and true returned) when the file does not exist.
bool readIniFile(const std::string& path, IniFile* out, bool* exists, std::string* error);
// Writes atomically (temporary file + rename) with mode 0600, creating missing parent
// directories with mode 0700.
bool writeIniFile(const std::string& path, const IniFile& file, std::string* error);

}  // namespace mqgw::ctl
