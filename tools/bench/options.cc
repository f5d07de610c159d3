#include "options.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <chrono>
#include <map>
#include <sstream>

namespace mqgw::bench {

const char* scenarioName(Scenario s) {
  switch (s) {
    case Scenario::Pairs: return "pairs";
    case Scenario::FanIn: return "fan-in";
    case Scenario::FanOut: return "fan-out";
    case Scenario::Storm: return "storm";
  }
  return "?";
}

namespace {

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) parts.push_back(item);
  }
  return parts;
}

// A short run id keeps topics of concurrent or repeated runs apart on a shared broker.
std::string defaultRunId() {
  auto ns = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::to_string(static_cast<uint64_t>(ns) % 1000000007ULL);
}

bool idChars(const std::string& s) {
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

// What is wrong with the console options, or "". Topic levels and Client IDs of an instance
// are [A-Za-z0-9_-] only, and a Client ID is at most 64 characters.
std::string consoleProblem(const Options& o) {
  if (o.instanceId.empty()) {
    if (!o.accessKeyId.empty() || !o.accessKeySecret.empty())
      return "--access-key-id/--access-key-secret need --instance-id";
    return {};
  }
  if (o.accessKeyId.empty() || o.accessKeySecret.empty())
    return "--instance-id needs --access-key-id and --access-key-secret";
  if (!idChars(o.runId)) return "--run-id must be [A-Za-z0-9_-] with --instance-id";
  if (o.groupId.empty() || o.groupId.size() > 45 || !idChars(o.groupId))
    return "--group-id must be 1..45 of [A-Za-z0-9_-] (a Client ID is at most 64)";
  return {};
}

}  // namespace

bool parseOptions(int argc, char** argv, Options& o, int* exitCode) {
  CLI::App app{"mqgw-bench: MQTT load generator (pairs, fan-in, fan-out, connection storm)"};
  std::map<std::string, Scenario> scenarios{{"pairs", Scenario::Pairs},
      {"fan-in", Scenario::FanIn}, {"fan-out", Scenario::FanOut}, {"storm", Scenario::Storm}};
  std::map<std::string, TransportKind> transports{{"tcp", TransportKind::Tcp},
      {"tls", TransportKind::Tls}, {"ws", TransportKind::Ws}, {"wss", TransportKind::Wss}};
  std::string sourceIps;
  int qos = o.qos, version = o.mqttVersion;
  app.add_option("--scenario", o.scenario, "pairs | fan-in | fan-out | storm")
      ->transform(CLI::CheckedTransformer(scenarios));
  app.add_option("--host", o.host, "broker IPv4 address");
  app.add_option("--port", o.port, "broker port");
  app.add_option("--sub-host", o.subHost, "subscribers' broker IPv4 address (default: --host)");
  app.add_option("--sub-port", o.subPort, "subscribers' broker port (default: --port)");
  app.add_option("--qos", qos, "0, 1 or 2")->check(CLI::Range(0, 2));
  app.add_option("--payload", o.payload, "payload bytes (>= 16)")->check(CLI::Range(16, 1 << 24));
  app.add_option("--rate", o.rate, "msgs/s per publisher, 0 = as fast as possible");
  app.add_option("--inflight", o.inflight, "QoS1/2 window per publisher")
      ->check(CLI::Range(1, 65000));
  app.add_option("--window", o.window,
      "--rate 0: end-to-end window, messages per publisher not yet received by all subscribers")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--duration", o.duration, "measured seconds")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", o.warmup, "seconds before measuring")->check(CLI::Range(0.0, 600.0));
  app.add_option("--drain", o.drain, "seconds to wait for in-flight messages at the end")
      ->check(CLI::Range(0.0, 60.0));
  app.add_option("--clients", o.clients,
      "pairs (pairs), publishers (fan-in), subscribers (fan-out), connections (storm)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--mqtt-version", version, "3 (3.1), 4 (3.1.1) or 5")->check(CLI::Range(3, 5));
  app.add_option("--threads", o.threads, "event loops (one thread each)")->check(CLI::Range(1, 64));
  app.add_option("--concurrency", o.concurrency, "storm: connects in progress at once")
      ->check(CLI::Range(1, 100000));
  app.add_option("--hold", o.hold, "storm: seconds to hold the connections idle")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--connect-timeout", o.connectTimeout, "seconds allowed for setup")
      ->check(CLI::Range(1.0, 600.0));
  std::string transport = transportName(o.transport);  // a string: CLI11 prints enums as chars
  app.add_option("--transport", transport, "tcp | tls | ws | wss (TLS, then WebSocket)")
      ->check(CLI::IsMember({"tcp", "tls", "ws", "wss"}));
  app.add_option("--cafile", o.cafile, "tls/wss: CA certificate (PEM) to verify the broker; "
                 "without it the certificate is not checked");
  app.add_option("--ws-path", o.wsPath, "ws/wss: path of the Upgrade request");
  app.add_option("--source-ips", sourceIps, "local addresses to bind, round-robin (a,b,c)");
  app.add_option("--run-id", o.runId, "topic component bench/<run-id>/...");
  app.add_option("--instance-id", o.instanceId,
      "log in to this console instance (Signature mode); its parent topic must be 'bench'");
  app.add_option("--access-key-id", o.accessKeyId, "--instance-id: the AccessKey's ID");
  app.add_option("--access-key-secret", o.accessKeySecret, "--instance-id: the AccessKey's secret");
  app.add_option("--group-id", o.groupId, "--instance-id: Client IDs are <group>@@@<device>");
  app.add_flag("--json", o.json, "print exactly one JSON line with all numbers");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exitCode = app.exit(e);
    return false;
  }
  o.qos = static_cast<uint8_t>(qos);
  o.mqttVersion = static_cast<uint8_t>(version);
  o.sourceIps = splitComma(sourceIps);
  o.transport = transports.at(transport);
  if (o.runId.empty()) o.runId = defaultRunId();
  std::string problem = consoleProblem(o);
  if (!problem.empty()) {
    *exitCode = app.exit(CLI::ValidationError(problem));
    return false;
  }
  return true;
}

}  // namespace mqgw::bench
