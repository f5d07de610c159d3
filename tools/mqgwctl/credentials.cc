#include "credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mqgw::ctl {
namespace {

std::string firstOf(const std::string& flag, const EnvLookup& env, const char* envName) {
  if (!flag.empty()) return flag;
  auto value = env(envName);
  return value ? *value : std::string();
}

bool profileNamedExplicitly(const CredentialFlags& flags, const EnvLookup& env) {
  auto fromEnv = env("MQGW_PROFILE");
  return !flags.profile.empty() || (fromEnv && !fromEnv->empty());
}

// mkdir -p for the parents of `path`, each new one 0700.
bool makeParents(const std::string& path, std::string* error) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = dir + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

}  // namespace

EnvLookup processEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string profileName(const CredentialFlags& flags, const EnvLookup& env) {
  std::string name = firstOf(flags.profile, env, "MQGW_PROFILE");
  return name.empty() ? "default" : name;
}

std::string credentialsPath(const CredentialFlags& flags, const EnvLookup& env) {
  std::string path = firstOf(flags.credentialsFile, env, "MQGW_CREDENTIALS_FILE");
  if (!path.empty()) return path;
  auto home = env("HOME");
  return (home && !home->empty() ? *home : std::string(".")) + "/.mqgw/credentials";
}

bool resolveCredentials(const CredentialFlags& flags, const EnvLookup& env, Credentials* out,
                        std::string* error) {
  Credentials c;
  c.endpoint = firstOf(flags.values.endpoint, env, "MQGW_ENDPOINT");
  c.accessKeyId = firstOf(flags.values.accessKeyId, env, "MQGW_ACCESS_KEY_ID");
  c.accessKeySecret = firstOf(flags.values.accessKeySecret, env, "MQGW_ACCESS_KEY_SECRET");
  if (c.endpoint.empty() || c.accessKeyId.empty() || c.accessKeySecret.empty()) {
    std::string path = credentialsPath(flags, env);
    std::string profile = profileName(flags, env);
    IniFile file;
    bool exists = false;
    if (!readIniFile(path, &file, &exists, error)) return false;
    const IniSection* section = exists ? file.find(profile) : nullptr;
    if (section == nullptr && profileNamedExplicitly(flags, env)) {
      *error = "profile '" + profile + "' not found in " + path;
      return false;
    }
    auto fill = [section](std::string& value, const char* key) {
      const std::string* found = section ? section->find(key) : nullptr;
      if (value.empty() && found) value = *found;
    };
    fill(c.endpoint, "endpoint");
    fill(c.accessKeyId, "access_key_id");
    fill(c.accessKeySecret, "access_key_secret");
  }
  if (c.endpoint.empty()) c.endpoint = kDefaultEndpoint;
  *out = std::move(c);
  return true;
}

std::string missingCredentials(const Credentials& c, const CredentialFlags& flags,
                               const EnvLookup& env, bool needKeyId) {
  std::string missing;
  if (needKeyId && c.accessKeyId.empty()) missing = "access key id (--access-key-id, MQGW_ACCESS_KEY_ID)";
  if (c.accessKeySecret.empty()) {
    if (!missing.empty()) missing += " and ";
    missing += "access key secret (--access-key-secret, MQGW_ACCESS_KEY_SECRET)";
  }
  if (missing.empty()) return {};
  return "missing " + missing + ": not given and not in profile '" + profileName(flags, env) +
         "' of " + credentialsPath(flags, env) + " (see `mqgwctl configure --help`)";
}

bool readIniFile(const std::string& path, IniFile* out, bool* exists, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *exists = false;
    if (errno == ENOENT) return true;
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  *exists = true;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  int readErrno = errno;
  close(fd);
  if (n < 0) {
    *error = path + ": " + std::strerror(readErrno);
    return false;
  }
  std::string why;
  if (!parseIni(text, out, &why)) {
    *error = path + ": " + why;
    return false;
  }
  return true;
}

bool writeIniFile(const std::string& path, const IniFile& file, std::string* error) {
  if (!makeParents(path, error)) return false;
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = tmp + ": " + std::strerror(errno);
    return false;
  }
  std::string text = formatIni(file);
  bool ok = fchmod(fd, 0600) == 0 && write(fd, text.data(), text.size()) ==
                                          static_cast<ssize_t>(text.size());
  int savedErrno = errno;
  ok = close(fd) == 0 && ok;
  if (ok && rename(tmp.c_str(), path.c_str()) == 0) return true;
  *error = path + ": " + std::strerror(ok ? errno : savedErrno);
  unlink(tmp.c_str());
  return false;
}

}  // namespace mqgw::ctl
