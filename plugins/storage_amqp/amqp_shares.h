// $share groups across nodes, the RabbitMQ way: competing consumers. Every node with a local
// member of group G under filter F consumes one durable queue per (instance, G, F)
// (amqp_names shareQueueName), bound to F's instance exchange with F's binding key
// (amqp_names bindingOf). RabbitMQ hands each message to one consumer — one node — and the core
// there picks one local member (host->storage_feed_shared). The queue is auto-delete: when the
// last node leaves the group, RabbitMQ removes it (a group without members gets nothing, as in
// MQTT). A delivery is acknowledged after the core took it; one whose MQTT topic does not match
// F (a binding word "*" also matches a literal "*" level) is acknowledged and dropped.
// Each joined group has a consumer on the shares thread's one Connection (one channel);
// reconnects with backoff re-declare and re-consume every joined group. The thread and its
// connection start with the first join (a node without $share groups has none). join/leave run
// on a gateway loop: they check and queue, the thread talks to RabbitMQ. Messages are fed
// without a position: they come from the group's queue, not from the log this node feeds, so
// a persistent session's cursor does not track them (a node crash loses what it had taken but
// not yet delivered, as with Kafka).
#pragma once

#include <memory>
#include <string>

#include "amqp_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

class Shares {
 public:
  Shares(const mqgw_host_api* host, const Settings& settings);
  ~Shares();  // stop()
  Shares(const Shares&) = delete;
  Shares& operator=(const Shares&) = delete;

  void stop();
  int join(mqgw_str group, mqgw_str filter);   // storage op share_join (queues work, returns)
  int leave(mqgw_str group, mqgw_str filter);  // storage op share_leave

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqgw::amqp
