// A client session as the core sees it: who it is, which worker and connection it is attached
// to, and what it subscribed to (so a clean session can take its subscriptions with it).
#pragma once

#include <cstdint>
#include <memory>
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
  // Allocated on the first SUBSCRIBE: most idle device connections only publish.
  std::unique_ptr<std::vector<Subscription>> subscriptions;
  std::vector<Subscription>& subs() {
    if (!subscriptions) subscriptions = std::make_unique<std::vector<Subscription>>();
    return *subscriptions;
  }
};

}  // namespace mqgw
