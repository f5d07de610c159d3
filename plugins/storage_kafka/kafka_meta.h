// The console's metadata shared by every node (storage op meta_put, host storage_meta;
// docs/decisions/0006-console-instances.md): `<state_prefix>metadata`, compacted, one record
// per resource (key "<kind>/<id>", value a JSON row, a tombstone for a deleted one). Every node
// reads it from its beginning at start (before `load` returns) and then follows it on a thread
// of its own, handing each record to host->storage_meta in offset order — its own writes too,
// so every node applies one sequence.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "kafka_feed_consumer.h"
#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::kafka {

class Producer;

class MetaStore {
 public:
  MetaStore(const mqgw_host_api* host, const Settings& settings, Producer& producer);
  ~MetaStore();  // stops
  MetaStore(const MetaStore&) = delete;
  MetaStore& operator=(const MetaStore&) = delete;

  bool configure(std::string* why);
  // Creates the topic if missing and starts following it from its beginning.
  int start();
  void stop();  // joins the thread: no storage_meta call after it returns

  // Waits until every record below the topic's end as of now went to host->storage_meta.
  int waitLoaded();
  // Stores one record asynchronously (len 0: a tombstone); a failure is logged.
  int put(mqgw_str key, const uint8_t* value, size_t len);

  const std::string& topic() const { return topic_; }

 private:
  void loop();
  void reached(int64_t next);

  const mqgw_host_api* host_;
  const Settings settings_;
  Producer& producer_;
  const std::string topic_;
  rd_kafka_conf_t* conf_ = nullptr;
  FeedConsumer consumer_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable reached_;
  int64_t next_ = 0;  // guarded by mu_: the offset after the last record handed over
};

}  // namespace mqgw::kafka
