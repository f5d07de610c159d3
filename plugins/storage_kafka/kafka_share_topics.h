// Pure decisions of the $share consumers (kafka_shares.h): the Kafka consumer group of one
// (group, filter), the topics it subscribes to, and whether a record's MQTT topic belongs to
// the filter (several MQTT first levels can share a Kafka topic, and a regex subscription
// brings every data topic).
#pragma once

#include <string>
#include <string_view>

#include "kafka_settings.h"

namespace mqgw::kafka {

// FNV-1a 64 of the bytes, as 16 lowercase hex digits.
std::string fnv1aHex(std::string_view bytes);

// "mqgw.<kafkaSafe(instance)>.share.<kafkaSafe(group)>.<fnv1aHex(filter)>"
std::string shareGroupId(const Settings& s, std::string_view group, std::string_view filter);

// A regex (librdkafka reads a subscription starting with '^' as one) that matches exactly the
// Kafka topic names isDataTopic accepts.
std::string dataTopicRegex(const Settings& s);

// What a consumer for `filter` subscribes to: the one Kafka topic its literal first level goes
// to, or dataTopicRegex when the first level is '+' or '#'. Empty when the literal first level
// makes no valid Kafka topic name.
std::string shareSubscription(const Settings& s, std::string_view filter);

// MQTT topic matching (MQTT 3.1.1 4.7 / 5.0 4.7): '+' one level, '#' the rest (also the parent
// level itself), and a filter starting with a wildcard never matches a topic starting with '$'.
bool topicMatchesFilter(std::string_view filter, std::string_view topic);

}  // namespace mqgw::kafka
