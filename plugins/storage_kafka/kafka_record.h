// How an MQTT message maps onto a Kafka record's headers, both ways.
#pragma once

#include <librdkafka/rdkafka.h>

#include "mqgw/plugin_abi.h"

namespace mqgw::kafka {

// mqtt.topic, mqtt.qos, mqtt.retain, mqtt.client_id, mqtt.message_id (32 hex chars),
// mqtt.created_ms (decimal), and when set: mqtt.payload_format ("1"), mqtt.expiry (decimal
// seconds), mqtt.content_type, mqtt.response_topic, mqtt.correlation_data (raw bytes); then
// mqtt.user.<key> per MQTT 5 user property, in their order.
// The caller owns the result (rd_kafka_producev takes it over on success).
rd_kafka_headers_t* recordHeaders(const mqgw_message_view& m);

// The message a record written by recordHeaders stands for (the record's value is the payload,
// a null value an empty one), made with host->message_restore so its ID and created time
// survive. A record without a message ID gets a new one (message_create); a record without
// mqtt.created_ms takes the record's timestamp. nullptr when the record is not an MQTT message:
// no valid mqtt.topic or mqtt.qos, or a string property that is not valid MQTT UTF-8.
mqgw_message* decodeRecord(const mqgw_host_api* host, const rd_kafka_message_t* m);

// The same from a record's parts (headers may be null); timestampMs < 0 when the record has none.
mqgw_message* decodeRecord(const mqgw_host_api* host, const rd_kafka_headers_t* headers,
                           const void* value, size_t len, int64_t timestampMs);

}  // namespace mqgw::kafka
