// What the management API asks of the running gateway (core/gateway/api_runtime.cc implements
// it): sending a message as the server, the online status of clients, the access points.
// Everything else the API does goes through resources::Registry.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mqgw::api {

struct SendRequest {
  std::string instanceId;
  std::string topic;    // an MQTT topic name under one of the instance's parent topics
  std::string payload;  // raw bytes
  uint8_t qos = 1;
  bool retain = false;
};

// status 0: stored by the bound backend and routed; msgId is the message ID (32 lowercase hex).
// Otherwise an mqgw_status and msgId is empty. Called once, on any thread.
using SendDone = std::function<void(int status, std::string msgId)>;

struct SessionStatus {
  std::string clientId;
  bool online = false;
};

struct AccessPoint {
  std::string transport;        // "tcp" | "tls" | "ws" | "wss" | "flash-policy"
  std::string listener;         // the listener's name in the config
  uint16_t port = 0;
  std::string path;             // websocket path, "" otherwise
  std::string publicEndpoint;   // host name: tenancy.public_host with {instance} replaced
  std::string privateEndpoint;  // tenancy.private_host likewise
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual void sendMessage(const SendRequest& r, SendDone done) = 0;
  virtual std::vector<SessionStatus> sessionStatus(const std::string& instanceId,
                                                   const std::vector<std::string>& clientIds) = 0;
  virtual std::vector<AccessPoint> accessPoints(const std::string& instanceId) = 0;
};

}  // namespace mqgw::api
