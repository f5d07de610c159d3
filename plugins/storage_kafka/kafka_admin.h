// Creating Kafka topics (the admin API's CreateTopics) on any librdkafka handle. A topic that
// already exists counts as created: every node of a cluster creates the same topics.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <utility>
#include <vector>

namespace mqgw::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replicationFactor = -1;  // -1: the broker's default
  std::vector<std::pair<std::string, std::string>> config;  // e.g. cleanup.policy=compact
};

struct TopicOutcome {
  std::string name;
  bool exists = false;  // created now, or was there already
  std::string error;    // when !exists
};

// Sends one CreateTopics request; its result event arrives on `queue` (read it with
// topicOutcomes). False with *why when the request could not be built (a bad spec).
bool createTopicsAsync(rd_kafka_t* rk, const std::vector<TopicSpec>& specs,
                       rd_kafka_queue_t* queue, std::string* why);

// The outcome per topic of a CreateTopics result event; empty for any other event. An error of
// the whole request (no broker in time) gives every topic of it exists == false.
std::vector<TopicOutcome> topicOutcomes(rd_kafka_event_t* ev);

// Blocking form: waits up to timeoutMs for the answer. True when every topic exists; otherwise
// *why names the first that does not.
bool createTopics(rd_kafka_t* rk, const std::vector<TopicSpec>& specs, int timeoutMs,
                  std::string* why);

// Asks the brokers for the topic's metadata (refreshing this handle's cache, which requests
// such as watermark queries do not do on their own) until every partition has a leader.
// False after timeoutMs.
bool waitForLeaders(rd_kafka_t* rk, const std::string& topic, int timeoutMs);

}  // namespace mqgw::kafka
