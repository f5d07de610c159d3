// Settings of the `amqp` storage backend (the schema lives in amqp_plugin.cc) and the names
// they make: the topic exchange of each instance and the backend's own streams and queues.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

// Where RabbitMQ is: the parts of an amqp:// URL (amqp_parse_url).
struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 5672;
  std::string vhost = "/";
  std::string user = "guest";
  std::string password = "guest";
  int heartbeatS = 10;
  int connectTimeoutMs = 3000;
};

struct Settings {
  Endpoint endpoint;
  std::string url;                          // as configured, password included: never log it
  std::string instance = "default";
  // the durable topic exchange of an instance; {instance} = `instance` for the development
  // instance's topics, the InstanceId for a console instance's ("$i/<InstanceId>/...")
  std::string exchangeTemplate = "mqgw.{instance}";
  // prefix of the backend's own streams and queues (<prefix>log, <prefix>state,
  // <prefix>control, <prefix>share.<group>.<hash>), {instance} substituted
  std::string statePrefix = "mqgw.{instance}.";
  std::string nodeId;                       // stable across restarts; default: the host name
  uint32_t prefetch = 2000;                 // unacknowledged deliveries per consumer
  uint32_t maxPending = 20000;              // appends waiting for a confirm; more: MQGW_E_AGAIN
  int reconnectMinMs = 100;                 // backoff after a lost connection, doubling ...
  int reconnectMaxMs = 5000;                // ... up to this
  int claimTimeoutMs = 3000;                // wait for a session's previous node to hand it over
  int64_t logMaxBytes = 0;                  // x-max-length-bytes of the log stream; 0 = none
};

// Reads the validated key/values the core hands to create(). False with *why on a URL
// amqp_parse_url refuses or a template naming an unknown placeholder.
bool parseSettings(const mqgw_kv* cfg, size_t n, Settings* out, std::string* why);

// The URL with its password replaced by "***", for logs.
std::string redactedUrl(std::string_view url);

// The delay before reconnect attempt n (0-based): reconnect_min·2ⁿ capped at reconnect_max,
// with ±20 % jitter (so nodes that lost RabbitMQ together do not return in lockstep).
int backoffMs(const Settings& s, int attempt);

// <statePrefix with {instance} substituted><name>, e.g. stateName(s, "log") = "mqgw.default.log"
std::string stateName(const Settings& s, std::string_view name);

}  // namespace mqgw::amqp
