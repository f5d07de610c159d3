// The publish path of the `kafka` backend: one idempotent librdkafka producer (acks=all), a
// thread that polls it so delivery reports complete appends there, and the backend's health.
// The state records (kafka_state.h) go through the same producer (produce). A data topic the
// producer has not seen yet is created on first sight (CreateTopics with topic_partitions and
// replication_factor) while its first record waits for the topic's metadata.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
#include <unordered_set>

#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::kafka {

class Producer {
 public:
  Producer(const mqgw_host_api* host, Settings settings);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Builds the librdkafka configuration (no network yet); false with *why on a bad setting.
  bool configure(std::string* why);
  int start();
  void stop();
  int append(mqgw_message* msg, mqgw_append_cb cb, void* arg);
  int health() const { return health_.load(); }
  // Learns a topic's partitions and leaders now and keeps them current, so the first record to
  // it (a session claim, whose order between nodes matters) is not held back by a lookup.
  bool warm(const std::string& topic, int timeoutMs);

  // One record of the backend's own (state topics): value nullptr is a tombstone. done runs
  // once on the poll thread (or in stop) with the status an append would get and, on success,
  // the record's partition and offset. On an error return done is not called.
  using RecordDone = void (*)(void* arg, int status, int32_t partition, int64_t offset);
  int produce(const std::string& topic, std::string_view key, const void* value, size_t len,
              RecordDone done, void* arg);

  // Called on the poll thread after a data topic this node produced to first was created (or
  // found to exist); the backend looks for new topics then. Set before start.
  std::function<void()> onTopicCreated;

 private:
  static void onDelivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
  static void onError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void onLog(const rd_kafka_t* rk, int level, const char* facility, const char* line);

  void pollLoop();
  void setHealth(int health);
  bool brokerReachable(int timeoutMs);
  void drainOnStop();
  void createOnFirstSight(const std::string& topic);
  void serveAdminResults();

  const mqgw_host_api* host_;
  Settings settings_;
  rd_kafka_conf_t* conf_ = nullptr;  // until start hands it to rd_kafka_new
  rd_kafka_t* rk_ = nullptr;
  std::shared_mutex mu_;             // appends share it; stop takes it to shut the door
  bool accepting_ = false;           // guarded by mu_
  rd_kafka_queue_t* adminResults_ = nullptr;  // CreateTopics answers, served by the poller
  std::mutex topicsMu_;
  std::unordered_set<std::string> knownTopics_;  // created, or being created (guarded)
  std::mutex warmMu_;
  std::vector<rd_kafka_topic_t*> warm_;  // topic handles kept for warm()
  std::thread poller_;
  std::atomic<bool> stopPolling_{false};
  std::atomic<int> health_{MQGW_HEALTH_UNAVAILABLE};
  uint32_t deliveredMetric_ = UINT32_MAX;
  uint32_t failedMetric_ = UINT32_MAX;
};

}  // namespace mqgw::kafka
