// How an MQTT message maps onto a Kafka record's headers.
#pragma once

#include <librdkafka/rdkafka.h>

#include "mqgw/plugin_abi.h"

namespace mqgw::kafka {

// mqtt.topic, mqtt.qos, mqtt.retain, mqtt.client_id, mqtt.message_id (32 hex chars),
// mqtt.content_type when set, and mqtt.user.<key> per MQTT 5 user property, in their order.
// The caller owns the result (rd_kafka_producev takes it over on success).
rd_kafka_headers_t* recordHeaders(const mqgw_message_view& m);

}  // namespace mqgw::kafka
