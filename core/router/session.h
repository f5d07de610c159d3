// A client session as the core sees it: who it is, which worker and connection it is attached
// to, and what it subscribed to (so a clean session can take its subscriptions with it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw {

class Connection;
class Worker;

struct Subscription {
  std::string filter;
  mqgw_sub_options options;
};

class Session {
 public:
  Session(uint64_t id, std::string clientId, Worker& w, Connection* c)
      : id(id), clientId(std::move(clientId)), worker(&w), conn(c) {}
  uint64_t id;
  std::string clientId;
  Worker* worker;
  Connection* conn;  // nullptr once the connection ended
  bool cleanStart = true;
  uint32_t expiryIntervalS = 0;
  std::vector<Subscription> subscriptions;
};

}  // namespace mqgw
