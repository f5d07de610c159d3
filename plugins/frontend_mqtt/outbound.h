// Per-connection delivery state, allocated on the first QoS 1/2 delivery: the inflight window
// and the messages waiting for room in it.
#pragma once

#include <cstdint>
#include <deque>

#include "host.h"
#include "inflight.h"

namespace mqgw::mqttfe {

struct QueuedDelivery {
  mqgw_message* msg;  // holds a ref
  uint8_t qos;
  uint8_t retain;
  uint32_t subscriptionId;
};

struct Outbound {
  explicit Outbound(uint32_t window) : inflight(window) {}
  ~Outbound() {
    for (const QueuedDelivery& q : queue) host().message_unref(q.msg);
  }
  Outbound(const Outbound&) = delete;
  Outbound& operator=(const Outbound&) = delete;

  InflightTable inflight;
  std::deque<QueuedDelivery> queue;
};

}  // namespace mqgw::mqttfe
