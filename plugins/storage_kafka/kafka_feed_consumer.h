// What the feed's consumers share: their configuration (no group membership, no commits, low
// fetch latency), their librdkafka log and error callbacks (an error is logged once until the
// consumer works again), and turning a consumed record into a positioned message.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"
#include "partition_table.h"

namespace mqgw::kafka {

// Ours first, then every rdkafka.* setting (they win). nullptr with *why on a bad setting.
rd_kafka_conf_t* feedConsumerConf(const Settings& s, std::string* why);

struct PartitionEnds {
  std::string topic;
  int32_t partition = 0;
  int64_t low = 0;
  int64_t high = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

class FeedConsumer {
 public:
  // role names the consumer in logs ("feed", "session replay")
  FeedConsumer(const mqgw_host_api* host, std::string role);
  ~FeedConsumer();  // closes and destroys the handle: no callback after it returns
  FeedConsumer(const FeedConsumer&) = delete;
  FeedConsumer& operator=(const FeedConsumer&) = delete;

  // A consumer from a copy of conf; false (logged) when librdkafka refuses it.
  bool create(const rd_kafka_conf_t* conf);
  rd_kafka_t* handle() const { return rk_; }

  // Each partition's [low, high) offsets (or its own error) from the leaders, within timeoutMs
  // (rd_kafka_query_watermark_offsets can wait a minute for a broker that is down). A failure
  // of the whole query is returned and logged once.
  rd_kafka_resp_err_t queryEnds(std::vector<PartitionEnds>& parts, int timeoutMs);
  // A consumed event that carries an error (not PARTITION_EOF): logged once until healthy().
  void failed(rd_kafka_resp_err_t err, const char* what);
  void healthy() { lastError_.store(RD_KAFKA_RESP_ERR_NO_ERROR); }

 private:
  static void onLog(const rd_kafka_t* rk, int level, const char* facility, const char* line);
  static void onError(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  const mqgw_host_api* host_;
  std::string role_;
  rd_kafka_t* rk_ = nullptr;
  std::atomic<int> lastError_{RD_KAFKA_RESP_ERR_NO_ERROR};
};

// The message behind a consumed record, its position set to (table index, offset); nullptr for
// a record that is not an MQTT message. The caller owns the reference.
mqgw_message* positionedMessage(const mqgw_host_api* host, PartitionTable& table,
                                const rd_kafka_message_t* m);

}  // namespace mqgw::kafka
