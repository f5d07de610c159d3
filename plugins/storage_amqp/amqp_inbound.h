// The MQTT message a delivery from an instance exchange stands for, for every reader of
// instance exchanges (the log feed, the $share queues).
#pragma once

#include "amqp_connection.h"
#include "amqp_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

// A message the gateway wrote (amqp_record decodeMessage) — only when its mqtt.topic routes to
// the exchange it came through, so that a plain AMQP client cannot reach another instance by
// writing someone else's topic into a header — or a plain AMQP client's message without
// mqtt.topic, mapped from its exchange and routing key (amqp_names topicOf). nullptr for
// anything else.
mqgw_message* inboundMessage(const mqgw_host_api* host, const Settings& s, const Delivery& d);

}  // namespace mqgw::amqp
