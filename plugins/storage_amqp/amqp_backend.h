// The `amqp` storage backend as the core sees it (decision 0007): the publish path (Publisher),
// what reaches this node's subscribers (Feed, the log stream), the state every node shares
// (StateStore, the state and control streams) and $share groups split across nodes (Shares),
// behind the storage ops of host_api.h.
#pragma once

#include <string>

#include "amqp_connection.h"
#include "amqp_feed.h"
#include "amqp_publisher.h"
#include "amqp_settings.h"
#include "amqp_shares.h"
#include "amqp_state.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

class Backend {
 public:
  Backend(const mqgw_host_api* host, Settings settings);
  ~Backend();  // stop()
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // The publisher first (it declares the topology), then the state followers. A RabbitMQ
  // that does not answer at start fails it: without the state stream nothing can be loaded.
  int start();
  void stop();
  int health() const { return publisher_.health(); }

  // A retained message also becomes a record of the state stream; the append completes once
  // RabbitMQ confirmed both.
  int append(mqgw_message* msg, mqgw_append_cb cb, void* arg);

  Publisher& publisher() { return publisher_; }
  Feed& feed() { return feed_; }
  StateStore& state() { return state_; }
  Shares& shares() { return shares_; }

 private:
  // Publisher::onConnected: this instance's exchange, the three streams, the log's binding.
  bool declareTopology(Connection& c, std::string* why) const;

  const mqgw_host_api* host_;
  const Settings settings_;
  Publisher publisher_;
  Feed feed_;
  StateStore state_;
  Shares shares_;
};

}  // namespace mqgw::amqp
