// Every kind of config error, with the exact text the operator sees (file:line:col included).
#include <gtest/gtest.h>

#include <filesystem>

#include "config/config.h"

namespace mqgw::config {
namespace {

const std::string kData = MQGW_CONFIG_TEST_DATA;

// The text of the error loading `yaml`, or "OK".
std::string errorOf(const std::string& yaml) {
  LoadResult r = loadString(yaml, "t.yaml", kData);
  if (r.ok()) return "OK";
  EXPECT_FALSE(r.config.has_value());
  return r.error->str();
}

// A valid listener and storage to put after the part under test.
const std::string kRest = R"(listeners:
  - name: mqtt
    bind: 127.0.0.1
    port: 1883
    stack: [tcp, mqtt]
storage:
  backend: memory
)";

TEST(ConfigErrors, BaselineIsValid) { EXPECT_EQ(errorOf(kRest), "OK"); }

TEST(ConfigErrors, FileShape) {
  EXPECT_EQ(errorOf(""), "t.yaml:1:1: the file is empty: expected listeners and storage");
  EXPECT_EQ(errorOf("# only a comment\n"),
            "t.yaml:1:1: the file is empty: expected listeners and storage");
  EXPECT_EQ(errorOf("- a\n- b\n"), "t.yaml:1:1: the top level must be a mapping of key: value");
  EXPECT_EQ(errorOf("workers: 1\n"), "t.yaml:1:1: listeners: is required: at least one listener");
  EXPECT_EQ(errorOf("listeners: [{name: a, bind: 127.0.0.1, port: 1, stack: [tcp]}]\n"),
            "t.yaml:1:1: storage: is required (storage: {backend: memory})");
}

TEST(ConfigErrors, YamlSyntaxCarriesItsPosition) {
  // yaml-cpp's own message, at the spot it gave up.
  EXPECT_EQ(errorOf("workers: [1, 2\n"), "t.yaml:2:1: end of sequence flow not found");
  EXPECT_EQ(errorOf("a: b: c\n"), "t.yaml:1:5: illegal map value");
}

TEST(ConfigErrors, TopLevelKeys) {
  EXPECT_EQ(errorOf("listner: []\n" + kRest),
            "t.yaml:1:1: listner: unknown key (expected one of: workers, plugin_dir, plugins, "
            "log, admin, limits, listeners, storage, authorization, auth, tenancy)");
  EXPECT_EQ(errorOf(kRest + "workers: 2\nworkers: 3\n"), "t.yaml:9:1: workers: duplicate key");
  EXPECT_EQ(errorOf("[a]: 1\n" + kRest), "t.yaml:1:1: keys must be plain words");
}

TEST(ConfigErrors, AuthSection) {
  EXPECT_EQ(errorOf(kRest + "auth: [scram]\n"),
            "t.yaml:8:7: auth: expected a mapping of <auth plugin>: {settings}");
  EXPECT_EQ(errorOf(kRest + "auth: {\"no way\": {}}\n"),
            "t.yaml:8:8: auth.no way: 'no way' is not a valid name (letters, digits, '_' and '-')");
  EXPECT_EQ(errorOf(kRest + "auth: {a: {}, a: {}}\n"), "t.yaml:8:15: auth.a: duplicate key");
}

TEST(ConfigErrors, Workers) {
  EXPECT_EQ(errorOf("workers: 257\n" + kRest), "t.yaml:1:10: workers: 257 is out of range 0..256");
  EXPECT_EQ(errorOf("workers: -1\n" + kRest), "t.yaml:1:10: workers: -1 is out of range 0..256");
  EXPECT_EQ(errorOf("workers: many\n" + kRest),
            "t.yaml:1:10: workers: expected an integer, got 'many'");
  EXPECT_EQ(errorOf("workers: [1]\n" + kRest),
            "t.yaml:1:10: workers: expected an integer, got a list");
  EXPECT_EQ(errorOf("workers:\n" + kRest),
            "t.yaml:2:1: workers: expected an integer, got nothing");
}

TEST(ConfigErrors, Plugins) {
  EXPECT_EQ(errorOf("plugins: [plugins/extra.so, nope.so]\n" + kRest),
            "t.yaml:1:29: plugins[1]: cannot read plugin file '" +
                std::filesystem::path(kData).lexically_normal().string() +
                "/nope.so': No such file or directory");
  EXPECT_EQ(errorOf("plugins: extra.so\n" + kRest),
            "t.yaml:1:10: plugins: expected a list like [a, b]");
  EXPECT_EQ(errorOf("plugin_dir: {a: 1}\n" + kRest),
            "t.yaml:1:13: plugin_dir: expected a directory, got a mapping");
}

TEST(ConfigErrors, LogAndAdmin) {
  EXPECT_EQ(errorOf("log:\n  level: loud\n" + kRest),
            "t.yaml:2:10: log.level: 'loud' is not one of trace|debug|info|warn|error");
  EXPECT_EQ(errorOf("log:\n  file: x\n" + kRest),
            "t.yaml:2:3: log.file: unknown key (expected one of: level)");
  EXPECT_EQ(errorOf("log: debug\n" + kRest), "t.yaml:1:6: log: expected a mapping of key: value");
  EXPECT_EQ(errorOf("admin:\n  port: 70000\n" + kRest),
            "t.yaml:2:9: admin.port: 70000 is out of range 0..65535");
  EXPECT_EQ(errorOf("admin:\n  bind: localhost\n" + kRest),
            "t.yaml:2:9: admin.bind: 'localhost' is not an IPv4 or IPv6 address");
  EXPECT_EQ(errorOf("admin:\n  path: /metrics\n" + kRest),
            "t.yaml:2:3: admin.path: unknown key (expected one of: bind, port)");
}

TEST(ConfigErrors, TextAfterAFlowMappingIsRefused) {
  const std::string flow =
      "{listeners: [{name: m, bind: 127.0.0.1, port: 0, stack: [tcp, mqtt]}], "
      "storage: {backend: memory}}\n";
  EXPECT_EQ(errorOf(flow), "OK");
  EXPECT_EQ(errorOf(flow + "bogus: 1\n"),
            "t.yaml:2:1: more than one YAML document (one configuration per file)");
  EXPECT_NE(errorOf(flow + "bogus: [1\n"), "OK");
}

TEST(ConfigErrors, Limits) {
  auto limit = [](const std::string& line) { return errorOf("limits:\n  " + line + "\n" + kRest); };
  EXPECT_EQ(limit("max_packets: 5"),
            "t.yaml:2:3: limits.max_packets: unknown key (expected one of: max_packet_size, "
            "max_connections, keepalive_min, keepalive_max, max_outbound_bytes, max_inflight, "
            "shutdown_timeout, session_queue_messages, session_queue_bytes)");
  EXPECT_EQ(limit("session_queue_messages: 0"),
            "t.yaml:2:27: limits.session_queue_messages: 0 is out of range 1..10000000");
  EXPECT_EQ(limit("max_packet_size: 10 MB"),
            "t.yaml:2:20: limits.max_packet_size: unknown size unit ' MB' (use B, KB, KiB, MB, "
            "MiB, GB or GiB, no space)");
  EXPECT_EQ(limit("max_packet_size: 1GiB"),
            "t.yaml:2:20: limits.max_packet_size: 1GiB is out of range 16B..268435455B");
  EXPECT_EQ(limit("max_packet_size: 15"),
            "t.yaml:2:20: limits.max_packet_size: 15 is out of range 16B..268435455B");
  EXPECT_EQ(limit("max_packet_size: 17179869184GiB"),
            "t.yaml:2:20: limits.max_packet_size: number is too large");
  EXPECT_EQ(limit("max_packet_size: -1"),
            "t.yaml:2:20: limits.max_packet_size: expected a size like 65536, 64KiB or 10MB, got "
            "'-1'");
  EXPECT_EQ(limit("max_connections: 0"),
            "t.yaml:2:20: limits.max_connections: 0 is out of range 1..10000000");
  EXPECT_EQ(limit("max_outbound_bytes: 512B"),
            "t.yaml:2:23: limits.max_outbound_bytes: 512B is out of range 1KiB..1GiB");
  EXPECT_EQ(limit("max_inflight: 65536"),
            "t.yaml:2:17: limits.max_inflight: 65536 is out of range 1..65535");
  EXPECT_EQ(limit("keepalive_min: 1500ms"),
            "t.yaml:2:18: limits.keepalive_min: must be a whole number of seconds");
  EXPECT_EQ(limit("keepalive_max: 2d"),
            "t.yaml:2:18: limits.keepalive_max: unknown duration unit 'd' (use ms, s, m or h, no "
            "space)");
  EXPECT_EQ(limit("keepalive_max: 19h"),
            "t.yaml:2:18: limits.keepalive_max: 19h is out of range 0s..65535s");
  EXPECT_EQ(limit("shutdown_timeout: 11m"),
            "t.yaml:2:21: limits.shutdown_timeout: 11m is out of range 0s..10m");
  EXPECT_EQ(errorOf("limits:\n  keepalive_min: 10m\n  keepalive_max: 5m\n" + kRest),
            "t.yaml:2:18: limits.keepalive_min: 600s is above keepalive_max (300s)");
  EXPECT_EQ(limit("keepalive_min: 9m"),  // above the default keepalive_max of 8m
            "t.yaml:2:18: limits.keepalive_min: 540s is above keepalive_max (480s)");
}

TEST(ConfigErrors, ListenerKeys) {
  auto listener = [](const std::string& body) {
    return errorOf("listeners:\n  - " + body + "\nstorage: {backend: memory}\n");
  };
  EXPECT_EQ(listener("{name: a, bind: 127.0.0.1, port: abc, stack: [tcp]}"),
            "t.yaml:2:38: listeners[0].port: expected an integer, got 'abc'");
  EXPECT_EQ(listener("{name: a, bind: 127.0.0.1, port: 65536, stack: [tcp]}"),
            "t.yaml:2:38: listeners[0].port: 65536 is out of range 0..65535");
  EXPECT_EQ(listener("{name: a b, bind: 127.0.0.1, port: 1, stack: [tcp]}"),
            "t.yaml:2:12: listeners[0].name: 'a b' is not a valid name (letters, digits, '_' and "
            "'-')");
  EXPECT_EQ(listener("{name: a, bind: example.com, port: 1, stack: [tcp]}"),
            "t.yaml:2:21: listeners[0].bind: 'example.com' is not an IPv4 or IPv6 address");
  EXPECT_EQ(listener("{bind: 127.0.0.1, port: 1, stack: [tcp]}"),
            "t.yaml:2:5: listeners[0].name: is required");
  EXPECT_EQ(listener("{name: a, bind: 127.0.0.1, stack: [tcp]}"),
            "t.yaml:2:5: listeners[0].port: is required (0 = any free port)");
  EXPECT_EQ(listener("{name: a, bind: 127.0.0.1, port: 1}"),
            "t.yaml:2:5: listeners[0].stack: is required (e.g. [tcp, mqtt])");
  EXPECT_EQ(listener("mqtt"),
            "t.yaml:2:5: listeners[0]: expected a listener mapping with name, bind, port and "
            "stack");
  EXPECT_EQ(errorOf("listeners: []\nstorage: {backend: memory}\n"),
            "t.yaml:1:12: listeners: expected a list of at least one listener");
  EXPECT_EQ(errorOf("listeners: {name: a}\nstorage: {backend: memory}\n"),
            "t.yaml:1:12: listeners: expected a list of at least one listener");
}

TEST(ConfigErrors, Stacks) {
  auto stack = [](const std::string& s) {
    return errorOf("listeners:\n  - name: a\n    bind: 127.0.0.1\n    port: 1\n    stack: " + s +
                   "\nstorage: {backend: memory}\n");
  };
  EXPECT_EQ(stack("[]"), "t.yaml:5:12: listeners[0].stack: must not be empty: start with tcp, "
                         "e.g. [tcp, mqtt]");
  EXPECT_EQ(stack("[tls, mqtt]"),
            "t.yaml:5:13: listeners[0].stack[0]: the first layer must be tcp, got 'tls'");
  EXPECT_EQ(stack("[tcp, mqtt, tcp]"),
            "t.yaml:5:24: listeners[0].stack[2]: tcp can only be the first layer");
  EXPECT_EQ(stack("[tcp, mqtt, mqtt]"),
            "t.yaml:5:24: listeners[0].stack[2]: 'mqtt' is twice in the stack");
  EXPECT_EQ(stack("[tcp, my plugin]"),
            "t.yaml:5:18: listeners[0].stack[1]: 'my plugin' is not a valid plugin name");
  EXPECT_EQ(stack("tcp"), "t.yaml:5:12: listeners[0].stack: expected a list like [a, b]");
}

TEST(ConfigErrors, ListenerSections) {
  const std::string head = "listeners:\n  - name: a\n    bind: 127.0.0.1\n    port: 1\n";
  const std::string tail = "storage: {backend: memory}\n";
  EXPECT_EQ(errorOf(head + "    stack: [tcp, mqtt]\n    tls: {}\n" + tail),
            "t.yaml:6:5: listeners[0].tls: 'tls' is not in this listener's stack");
  // The stack may come after the sections: they are checked once it is known.
  EXPECT_EQ(errorOf(head + "    prot: 1883\n    stack: [tcp, mqtt]\n" + tail),
            "t.yaml:5:5: listeners[0].prot: 'prot' is not in this listener's stack");
  EXPECT_EQ(errorOf(head + "    tcp: {nodelay: true}\n    stack: [tcp, mqtt]\n" + tail),
            "t.yaml:5:5: listeners[0].tcp: the tcp layer takes no settings");
  EXPECT_EQ(errorOf(head + "    mqtt: {}\n    stack: [tcp, mqtt]\n" + tail), "OK");
}

TEST(ConfigErrors, ListenersAcrossEachOther) {
  EXPECT_EQ(errorOf(R"(listeners:
  - {name: a, bind: 127.0.0.1, port: 1883, stack: [tcp]}
  - {name: a, bind: 127.0.0.1, port: 1884, stack: [tcp]}
storage: {backend: memory}
)"),
            "t.yaml:3:12: listeners[1].name: duplicate listener name 'a' (also listeners[0])");
  EXPECT_EQ(errorOf(R"(listeners:
  - {name: a, bind: 127.0.0.1, port: 1883, stack: [tcp]}
  - {name: b, bind: 127.0.0.1, port: 1883, stack: [tcp]}
storage: {backend: memory}
)"),
            "t.yaml:3:38: listeners[1].port: 127.0.0.1 port 1883 is already used by "
            "listeners[0] (127.0.0.1)");
  // Different spellings of one address, and a wildcard covering a specific address, clash too.
  EXPECT_EQ(errorOf(R"(listeners:
  - {name: a, bind: "::1", port: 1883, stack: [tcp]}
  - {name: b, bind: "0:0::1", port: 1883, stack: [tcp]}
storage: {backend: memory}
)"),
            "t.yaml:3:37: listeners[1].port: 0:0::1 port 1883 is already used by listeners[0] "
            "(::1)");
  EXPECT_EQ(errorOf(R"(listeners:
  - {name: a, bind: 0.0.0.0, port: 1883, stack: [tcp]}
  - {name: b, bind: 127.0.0.1, port: 1883, stack: [tcp]}
storage: {backend: memory}
)"),
            "t.yaml:3:38: listeners[1].port: 127.0.0.1 port 1883 is already used by "
            "listeners[0] (0.0.0.0)");
}

TEST(ConfigErrors, Storage) {
  const std::string listeners = "listeners: [{name: a, bind: 127.0.0.1, port: 1, stack: [tcp]}]\n";
  EXPECT_EQ(errorOf(listeners + "storage:\n  memory: {}\n"),
            "t.yaml:3:3: storage.backend: is required (a storage plugin name, e.g. memory)");
  EXPECT_EQ(errorOf(listeners + "storage:\n  backend: memory\n  kafka: {}\n"),
            "t.yaml:4:3: storage.kafka: 'kafka' is not the storage backend ('memory')");
  // The backend may follow its section.
  EXPECT_EQ(errorOf(listeners + "storage:\n  kafka: {}\n  backend: memory\n"),
            "t.yaml:3:3: storage.kafka: 'kafka' is not the storage backend ('memory')");
  EXPECT_EQ(errorOf(listeners + "storage:\n  memory: {}\n  backend: memory\n"), "OK");
  EXPECT_EQ(errorOf(listeners + "storage: memory\n"),
            "t.yaml:2:10: storage: expected a mapping with backend: <storage plugin>");
  EXPECT_EQ(errorOf(listeners + "storage:\n  backend: [memory]\n"),
            "t.yaml:3:12: storage.backend: expected a name, got a list");
}

}  // namespace
}  // namespace mqgw::config
