// Command-line options of mqgw-bench and the scenario names they select.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "transport.h"

namespace mqgw::bench {

enum class Scenario : uint8_t { Pairs, FanIn, FanOut, Storm };

const char* scenarioName(Scenario s);

struct Options {
  Scenario scenario = Scenario::Pairs;
  std::string host = "127.0.0.1";
  uint16_t port = 1883;
  // Where subscribers connect, when not to host:port: another node of a gateway cluster, so
  // messages cross between nodes. Empty / 0 = the same as host / port.
  std::string subHost;
  uint16_t subPort = 0;
  uint8_t qos = 0;
  uint32_t payload = 64;         // bytes, >= 16 (timestamp + publisher + sequence)
  uint32_t rate = 0;             // msgs/s per publisher, 0 = as fast as the window allows
  uint32_t inflight = 64;        // QoS1/2 unacknowledged PUBLISH window per publisher
  uint32_t window = 100;         // --rate 0: messages per publisher sent but not yet delivered
  double duration = 10;          // measured seconds
  double warmup = 2;             // seconds before measuring starts
  double drain = 2;              // seconds to wait for in-flight messages after publishers stop
  uint32_t clients = 10;         // pairs / publishers (fan-in) / subscribers (fan-out) / connections
  uint8_t mqttVersion = 4;       // 3 = 3.1, 4 = 3.1.1, 5 = 5.0
  uint32_t threads = 1;
  uint32_t concurrency = 200;    // storm: connection attempts in progress at once
  double hold = 0;               // storm: seconds to keep the connections idle
  double connectTimeout = 20;    // seconds for all connections / subscriptions to be set up
  TransportKind transport = TransportKind::Tcp;  // what lies under MQTT
  std::string cafile;            // tls / wss: CA to verify the broker with (empty: no check)
  std::string wsPath = "/mqtt";  // ws / wss: the Upgrade request's path
  std::vector<std::string> sourceIps;
  std::string runId;             // topic prefix component; random when empty
  // A console instance to log in to (login.h); empty = the anonymous development instance.
  std::string instanceId;
  std::string accessKeyId;
  std::string accessKeySecret;
  std::string groupId = "GID_bench";
  bool json = false;
};

// Parses argv; on --help or a usage error prints the message and sets exitCode (0 for help).
// Returns false when the program should exit with *exitCode.
bool parseOptions(int argc, char** argv, Options& out, int* exitCode);

}  // namespace mqgw::bench
