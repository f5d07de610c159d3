// Settings of the `kafka` storage backend (the schema lives in kafka_plugin.cc) and the two
// per-message decisions they drive: which Kafka topic a message goes to, and its record key.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mqgw/plugin_abi.h"

namespace mqgw::kafka {

enum class KeyMode { kTopic, kClientId, kLevel };

struct Settings {
  std::string bootstrapServers;
  std::string topicTemplate = "mqtt.{parent}";
  std::string instance = "default";
  KeyMode key = KeyMode::kTopic;
  int keyLevel = 0;
  // this gateway process among the nodes of the cluster; stable across restarts
  std::string nodeId;
  // prefix of the state topics (<prefix>sessions, <prefix>retained, <prefix>control),
  // {instance} substituted
  std::string statePrefix = "mqgw.{instance}.";
  int topicPartitions = 6;       // for topics the gateway creates
  int replicationFactor = -1;    // for topics the gateway creates; -1 = the broker's default
  int discoveryIntervalMs = 1000;
  int claimTimeoutMs = 3000;     // how long a claiming node waits for the previous owner
  // every `rdkafka.<name>` setting, with the prefix removed, in config order
  std::vector<std::pair<std::string, std::string>> rdkafka;
};

// Reads the validated key/values the core hands to create(). False with *why on a template
// naming an unknown placeholder.
bool parseSettings(const mqgw_kv* cfg, size_t n, Settings* out, std::string* why);

// Kafka allows [A-Za-z0-9._-] in topic names; every other byte becomes '_', and an empty
// value becomes "_".
std::string kafkaSafe(std::string_view text);

// The template with {parent} (the first MQTT topic level) and {instance} substituted, both made
// kafkaSafe. Empty when the result is not a valid Kafka topic name (too long, "." or "..").
std::string renderTopic(const Settings& s, std::string_view mqttTopic);

// The name of one state topic: statePrefix with {instance} substituted, then `name`.
std::string stateTopic(const Settings& s, std::string_view name);

// Whether a Kafka topic name is one topic_template can make (so the feed consumes it): the
// template with {instance} substituted and {parent} standing for any non-empty run of
// [A-Za-z0-9._-]. State topics never match (parseSettings refuses a template that would).
bool isDataTopic(const Settings& s, std::string_view kafkaTopic);

// The record key for a message: its MQTT topic, its publisher's Client ID, or one topic level
// (key_level, 0 = the first; a topic with fewer levels falls back to the whole topic).
std::string_view recordKey(const Settings& s, std::string_view mqttTopic,
                           std::string_view clientId);

}  // namespace mqgw::kafka
