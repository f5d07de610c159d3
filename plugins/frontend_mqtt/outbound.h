// Per-connection delivery state, allocated on the first QoS 1/2 delivery: the inflight window
// and the messages waiting for room in it.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "host.h"
#include "inflight.h"

namespace mqgw::mqttfe {

struct QueuedDelivery {
  mqgw_message* msg;  // holds a ref
  uint8_t qos;
  uint8_t retain;
  uint32_t subscriptionId;
  std::vector<uint32_t> allSubscriptionIds;  // MQTT 5: set only when several subscriptions match

  std::span<const uint32_t> subscriptionIds() const {
    if (!allSubscriptionIds.empty()) return allSubscriptionIds;
    return {&subscriptionId, subscriptionId ? 1u : 0u};
  }
};

// Every subscription identifier of a delivery (older cores fill only subscription_id).
inline std::span<const uint32_t> subscriptionIdsOf(const mqgw_delivery& d) {
  if (d.struct_size >= sizeof(mqgw_delivery) && d.subscription_id_count > 0 && d.subscription_ids)
    return {d.subscription_ids, d.subscription_id_count};
  return {&d.subscription_id, d.subscription_id ? 1u : 0u};
}

struct Outbound {
  explicit Outbound(uint32_t window) : inflight(window) {}
  ~Outbound() {
    for (const QueuedDelivery& q : queue) host().message_unref(q.msg);
    inflight.forEachInOrder([](uint16_t, AckWait, const InflightTable::Owed& o) {
      if (o.msg) host().message_unref(static_cast<mqgw_message*>(o.msg));
    });
  }
  Outbound(const Outbound&) = delete;
  Outbound& operator=(const Outbound&) = delete;

  InflightTable inflight;
  std::deque<QueuedDelivery> queue;
};

}  // namespace mqgw::mqttfe
