// The gateway's YAML configuration: load, validate, normalize. Nothing here throws.
//
//   auto r = config::loadFile("gw.yaml");
//   if (!r.ok()) { fprintf(stderr, "%s\n", r.error->str().c_str()); return kExitConfig; }
//   const config::Config& c = *r.config;
//
// Core keys are checked here; each plugin section (a listener layer's, the storage backend's) is
// kept as a YAML node and checked later, once its plugin is loaded, with validateSection() and
// the plugin's declared mqgw_config_key schema. Errors name the spot: `file:line:col: key.path:
// what is wrong` (1-based; when a file cannot be read, line and col are 0 and there is no key
// path: `file:0:0: cannot open file: No such file or directory`). The first error found wins.
//
// Normalized units: sizes in bytes, keepalives in seconds, other durations in milliseconds.
// Relative paths (plugin_dir, plugins, FILE values) resolve against the config file's directory.
// Every key, its default and its range: the comments on the structs below.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw::config {

struct Error {
  std::string file;
  int line = 0;  // 1-based; 0 when there is no position (e.g. the file cannot be opened)
  int col = 0;
  std::string path;  // "listeners[0].port", "limits.max_packet_size"; empty for the whole file
  std::string what;
  std::string str() const;  // "file:line:col: path: what" (no "path: " when path is empty)
};

// A plugin's own settings: a listener layer's, the storage backend's or an auth plugin's.
struct PluginSection {
  std::string plugin;  // the plugin name, also the key the section sits under
  YAML::Node node;     // the section as written; a null node when absent
  std::string path;    // "listeners[0].mqtt", "storage.memory", "auth.scram"
  std::string file;    // for error messages
  std::string dir;     // FILE values resolve against this
  int line = 0, col = 0;  // the section's position, or its owner's when it is absent
};

struct Listener {
  std::string name;  // unique, [A-Za-z0-9_-]+
  std::string bind;  // IPv4 or IPv6 literal
  uint16_t port = 0;  // 0 = ephemeral
  std::vector<std::string> stack;  // first is "tcp"; no name twice
  std::vector<PluginSection> sections;  // one per stack layer after tcp, in stack order
  int line = 0, col = 0;
};

struct Admin {
  std::string bind = "127.0.0.1";
  uint16_t port = 9090;  // 0 = ephemeral
};

struct Limits {
  uint32_t maxPacketSize = 256 * 1024;       // bytes, 16..268435455
  uint32_t maxConnections = 1000000;         // 1..10000000
  uint32_t keepaliveMinS = 0;                // seconds, 0..65535, <= keepaliveMaxS
  uint32_t keepaliveMaxS = 480;              // seconds, 0..65535
  uint64_t maxOutboundBytes = 1024 * 1024;   // bytes per connection, 1KiB..1GiB
  uint32_t maxInflight = 32;                 // 1..65535
  uint64_t shutdownTimeoutMs = 5000;         // 0..10m
  // A persistent session's queue while its client is away (QoS 1/2 only); over either bound
  // the oldest message is dropped and counted.
  uint32_t sessionQueueMessages = 1000;      // 1..10000000
  uint64_t sessionQueueBytes = 16 * 1024 * 1024;  // bytes, 1KiB..1GiB
};

// `authorization:` — topic ACL rules for publish and subscribe (core/auth/topic_acl.h says
// how a rule filter matches a topic name or a subscription filter). First match wins.
enum class AuthAction { Publish, Subscribe, All };

struct AuthRule {
  AuthAction action = AuthAction::All;
  std::string filter;  // a valid MQTT topic filter
  bool allow = false;
  int line = 0, col = 0;  // the rule's position, for log lines
};

struct Authorization {
  bool defaultAllow = true;  // `default: allow|deny`, used when no rule matches
  std::vector<AuthRule> rules;
};

// `tenancy:` — the console: instances, their resources and the management API
// (docs/config.md "tenancy"). Absent: no console, only the development instance.
struct Tenancy {
  bool developmentInstance = false;  // also serve the anonymous instance (any Client ID)
  std::string metadataDir;           // resolved absolute path; SQLite db + root credentials
  std::string region = "local";      // default region of new instances
  // Access point host names per instance; "{instance}" is replaced by the instance ID.
  std::string publicHost = "localhost";
  std::string privateHost = "localhost";
  uint32_t maxTopicLength = 64;      // characters of a topic name or filter, 3..65535
};

struct Config {
  std::string file;  // as given to loadFile (or the name given to loadString)
  std::string dir;   // absolute directory relative paths resolve against
  uint32_t workers = 1;  // resolved: `workers: 0` or absent = CPU cores (1..256)
  std::string pluginDir;  // resolved absolute path; "" = not set (use <binary dir>/plugins)
  std::vector<std::string> extraPlugins;  // resolved absolute paths of existing files
  std::string logLevel = "info";  // trace|debug|info|warn|error
  std::optional<Admin> admin;
  Limits limits;
  std::vector<Listener> listeners;  // at least one
  std::string storageBackend;
  PluginSection storageSection;  // plugin == storageBackend
  std::optional<Authorization> authorization;  // absent = everything allowed
  // `auth:` — the enabled MQTT 5 enhanced-authentication plugins, each with its settings
  // (`auth: {<plugin>: {...}}`), in file order. Absent = every Authentication Method refused.
  std::vector<PluginSection> authSections;
  std::optional<Tenancy> tenancy;
  // Whether anonymous clients (any Client ID, no console credentials) are served: the
  // development instance. True without a tenancy section.
  bool developmentInstance() const { return !tenancy || tenancy->developmentInstance; }
};

struct LoadResult {
  std::optional<Config> config;
  std::optional<Error> error;  // set exactly when config is not
  bool ok() const { return config.has_value(); }
};

LoadResult loadFile(const std::string& path);
// `baseDir` is where relative paths resolve; empty = the current directory.
LoadResult loadString(const std::string& text, const std::string& nameForErrors,
                      const std::string& baseDir = {});

struct KeyValue {
  std::string key;    // dotted: "ssl.ca", "rdkafka.bootstrap.servers"
  std::string value;  // normalized text (see validateSection)
};

struct SectionResult {
  std::vector<KeyValue> values;  // when ok
  std::optional<Error> error;
  bool ok() const { return !error.has_value(); }
};

// Checks a plugin section against the plugin's schema. Nested maps flatten to dotted keys.
// Output: schema keys in schema order (present ones, then defaults; absent optional keys without
// a default are left out), then PREFIX keys in document order. Values: bool "true"/"false",
// DURATION_MS integer milliseconds (bare integer = ms), SIZE integer bytes, FILE an absolute path
// to a readable file, INT/DOUBLE/STRING/ENUM/PREFIX the text as written.
// `file` names the config file in errors (empty = the section's own); FILE values resolve
// against the section's dir, or against `file`'s directory when the section has none.
SectionResult validateSection(const PluginSection& s, const mqgw_config_key* schema, size_t n,
                              const std::string& file = {});

}  // namespace mqgw::config
