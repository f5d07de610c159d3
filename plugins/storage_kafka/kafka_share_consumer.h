// One node's member of the Kafka consumer group of one $share (group, filter): a librdkafka
// consumer (cooperative-sticky, so a node joining or leaving moves only the partitions it must)
// and the thread that polls it. Each record whose MQTT topic matches the filter goes to the
// core through host->storage_feed_shared; its offset is stored for the next auto-commit only
// after that, so what a node commits it has handed over.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "mqgw/plugin_abi.h"
#include "partition_table.h"

namespace mqgw::kafka {

struct ShareMetrics {
  uint32_t fed = UINT32_MAX;      // records handed to storage_feed_shared
  uint32_t skipped = UINT32_MAX;  // records not for the filter, or not MQTT messages
};

class ShareConsumer {
 public:
  ShareConsumer(const mqgw_host_api* host, PartitionTable& table, ShareMetrics metrics,
                std::string group, std::string filter);
  ~ShareConsumer();  // closes and joins if still running
  ShareConsumer(const ShareConsumer&) = delete;
  ShareConsumer& operator=(const ShareConsumer&) = delete;

  // Creates the consumer from `conf` (a copy; group.id is set here), subscribes to
  // `subscription` (a topic, or a regex starting with '^') and starts the thread. Quick: no
  // network round trip. False with *why.
  bool start(const rd_kafka_conf_t* conf, const std::string& groupId,
             const std::string& subscription, std::string* why);
  // Asks the thread to stop feeding, close the consumer (commit, leave the group) and exit.
  // Returns at once.
  void requestClose() { closing_.store(true); }
  bool finished() const { return finished_.load(); }
  void join();  // waits for the thread; requestClose first

 private:
  static void onRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* parts, void* opaque);
  static void onLog(const rd_kafka_t* rk, int level, const char* facility, const char* line);
  void assign(rd_kafka_topic_partition_list_t* parts);
  void revoke(rd_kafka_topic_partition_list_t* parts);
  void startFromJoinTime(rd_kafka_topic_partition_list_t* parts);
  bool endOffset(const char* topic, int32_t partition, int64_t* end);
  void run();
  void handle(rd_kafka_message_t* m);
  void logError(const rd_kafka_message_t* m);

  const mqgw_host_api* host_;
  PartitionTable& table_;
  ShareMetrics metrics_;
  const std::string group_;
  const std::string filter_;
  int64_t joinedMs_ = 0;  // wall clock of start: where partitions nobody committed begin
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> finished_{false};
  rd_kafka_resp_err_t lastError_ = RD_KAFKA_RESP_ERR_NO_ERROR;  // logged once until it changes
};

}  // namespace mqgw::kafka
