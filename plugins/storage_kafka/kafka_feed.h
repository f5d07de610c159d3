// What reaches this node's subscribers: one librdkafka consumer (no consumer group — every
// node reads every partition, each for its own subscribers) assigned to every partition of
// every data topic (the topics topic_template makes). New topics are found by asking for
// metadata every discovery_interval_ms, or at once after discoverSoon(); their partitions start
// at their beginning. Every record becomes a message (decodeRecord) with its position set, fed
// to the core with host->storage_feed in partition order.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kafka_settings.h"
#include "mqgw/plugin_abi.h"
#include "partition_table.h"

namespace mqgw::kafka {

class Feed {
 public:
  Feed(const mqgw_host_api* host, const Settings& settings, PartitionTable& table);
  ~Feed();  // stops
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // Builds the consumer configuration; false with *why on a bad rdkafka.* setting.
  bool configure(std::string* why);
  // Creates the consumer and discovers the data topics now (no feeding yet). MQGW_OK, or
  // MQGW_E_UNAVAILABLE when no broker answers within a few seconds.
  int start();
  void stop();  // joins the threads; no host call after it returns

  // Every known data partition with its end offset (the next offset to be written) right now.
  std::vector<mqgw_position> endOffsets();

  // storage op `replay`: assign every known partition at from[] (a partition not named starts
  // at its beginning), feed until each partition reached the end it had when replay began,
  // then return MQGW_OK. The consumer goes on feeding live from there on its own thread.
  int replay(const mqgw_position* from, uint32_t n);

  // storage op `session_replay`: on a separate consumer (one job at a time, queued), feed the
  // records at [from, to) per partition via host->storage_feed_session(target, msg), then call
  // done(arg, MQGW_OK) — or an error status after stop or when Kafka fails for 10 s. A `to` of
  // UINT64_MAX means the offset where this node's live feed of that partition began.
  int replaySession(const mqgw_position* from, const mqgw_position* to, uint32_t n,
                    uint64_t target, mqgw_done_cb done, void* arg);

  // A topic was just created or first produced to here: look for new topics now.
  void discoverSoon();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqgw::kafka
