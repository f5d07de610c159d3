// Pure decisions of the $share consumers (kafka_shares.h): the Kafka consumer group of one
// (group, filter) and the topics it subscribes to. Whether a record's MQTT topic belongs to the
// filter (several MQTT first levels can share a Kafka topic, and a regex subscription brings
// every data topic) is cluster::topicMatchesFilter (plugins/cluster_state/topic_filter.h).
#pragma once

#include <string>
#include <string_view>

#include "kafka_settings.h"

namespace mqgw::kafka {

// "mqgw.<kafkaSafe(instance)>.share.<kafkaSafe(group)>.<cluster::fnv1aHex(filter)>"
std::string shareGroupId(const Settings& s, std::string_view group, std::string_view filter);

// A regex (librdkafka reads a subscription starting with '^' as one) that matches exactly the
// Kafka topic names isDataTopic accepts.
std::string dataTopicRegex(const Settings& s);

// What a consumer for `filter` subscribes to: the one Kafka topic its literal first level goes
// to, or dataTopicRegex when the first level is '+' or '#'. Empty when the literal first level
// makes no valid Kafka topic name.
std::string shareSubscription(const Settings& s, std::string_view filter);

}  // namespace mqgw::kafka
