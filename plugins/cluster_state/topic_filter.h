// MQTT topics as the clustered backends' $share consumers need them, without the core (plugins
// do not link it): level by level, filter matching (a consumer's engine subscription can bring
// messages its MQTT filter does not match), and the FNV-1a hash in their group and queue names.
// Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace mqgw::cluster {

// The next '/'-separated level of *rest, removed from it; *more: another level follows it.
std::string_view nextLevel(std::string_view* rest, bool* more);

// MQTT topic matching (MQTT 3.1.1 4.7 / 5.0 4.7): '+' one level, '#' the rest (also the parent
// level itself), and a filter starting with a wildcard never matches a topic starting with '$'.
bool topicMatchesFilter(std::string_view filter, std::string_view topic);

// FNV-1a 64 of the bytes, as 16 lowercase hex digits. In names stored by brokers (Kafka
// consumer groups, RabbitMQ queues): never change it.
std::string fnv1aHex(std::string_view bytes);

}  // namespace mqgw::cluster
