// The publish path of the `kafka` backend: one idempotent librdkafka producer (acks=all), a
// thread that polls it so delivery reports complete appends there, and the backend's health.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <shared_mutex>
#include <string>
#include <thread>

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

 private:
  static void onDelivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
  static void onError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void onLog(const rd_kafka_t* rk, int level, const char* facility, const char* line);

  void pollLoop();
  void setHealth(int health);
  bool brokerReachable(int timeoutMs);
  void drainOnStop();

  const mqgw_host_api* host_;
  Settings settings_;
  rd_kafka_conf_t* conf_ = nullptr;  // until start hands it to rd_kafka_new
  rd_kafka_t* rk_ = nullptr;
  std::shared_mutex mu_;             // appends share it; stop takes it to shut the door
  bool accepting_ = false;           // guarded by mu_
  std::thread poller_;
  std::atomic<bool> stopPolling_{false};
  std::atomic<int> health_{MQGW_HEALTH_UNAVAILABLE};
  uint32_t deliveredMetric_ = UINT32_MAX;
  uint32_t failedMetric_ = UINT32_MAX;
};

}  // namespace mqgw::kafka
