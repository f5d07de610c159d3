// storage op session_replay for the feed: jobs queue up and one thread serves them in turn on
// its own consumer (made on first use), beside the live feed, so a claimed session catches up
// on the records its previous node had not settled without holding up everyone else's feed.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kafka_feed_consumer.h"
#include "mqgw/plugin_abi.h"
#include "partition_table.h"

namespace mqgw::kafka {

class SessionReplayer {
 public:
  // The offset where the live feed of a partition (by table index) began, or will begin.
  using LiveStart = std::function<int64_t(uint32_t index)>;

  // conf is copied for the consumer; liveStart is called on the replayer's thread.
  SessionReplayer(const mqgw_host_api* host, PartitionTable& table, const rd_kafka_conf_t* conf,
                  LiveStart liveStart);
  ~SessionReplayer();  // stops
  SessionReplayer(const SessionReplayer&) = delete;
  SessionReplayer& operator=(const SessionReplayer&) = delete;

  // Queues a job (see Feed::replaySession). MQGW_E_UNAVAILABLE after stop (done not called).
  int enqueue(const mqgw_position* from, const mqgw_position* to, uint32_t n, uint64_t target,
              mqgw_done_cb done, void* arg);
  // Ends the job in progress and every queued one with MQGW_E_UNAVAILABLE, then joins.
  void stop();

 private:
  struct Range {
    std::string topic;
    int32_t partition = 0;
    int64_t from = 0;
    uint64_t to = 0;   // as asked; UINT64_MAX = where the live feed began
    int64_t end = 0;   // resolved: the first offset not to feed
    int64_t next = 0;  // the first offset not read yet
  };
  struct Job {
    std::vector<Range> ranges;
    uint64_t target = 0;
    mqgw_done_cb done = nullptr;
    void* arg = nullptr;
  };

  void run();
  int serve(Job& job);
  bool resolveEnds(Job& job);
  bool finished(const Job& job) const;
  void take(Job& job, const rd_kafka_message_t* m);

  const mqgw_host_api* host_;
  PartitionTable& table_;
  rd_kafka_conf_t* conf_;
  LiveStart liveStart_;
  std::unique_ptr<FeedConsumer> consumer_;  // the thread's own, made by the first job
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;   // guarded by mu_
  bool stopped_ = false;   // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::thread thread_;     // started by the first job
  std::chrono::steady_clock::time_point lastProgress_;
};

}  // namespace mqgw::kafka
