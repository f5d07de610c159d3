// The consumer that keeps a node current on the state topics: `sessions` from its beginning
// (every stored session and floor) and `control` from where it ended when the node started
// (claims and releases), on a thread of its own. Each record goes to the handler of its topic,
// in offset order.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "kafka_feed_consumer.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::kafka {

// The end offset of partition 0 of a state topic; a topic created a moment ago may take a few
// tries (the handle's metadata is refreshed between them). -1 when there is none in 10 s.
int64_t stateEndOffset(FeedConsumer& consumer, const std::string& topic);

class StateFollower {
 public:
  using OnRecord = std::function<void(const rd_kafka_message_t* m)>;

  StateFollower(const mqgw_host_api* host, std::string sessionsTopic, std::string controlTopic,
                OnRecord onSessions, OnRecord onControl);
  ~StateFollower();  // stops
  StateFollower(const StateFollower&) = delete;
  StateFollower& operator=(const StateFollower&) = delete;

  // The consumer handle, not yet reading (admin requests and watermarks may use it).
  bool create(const rd_kafka_conf_t* conf);
  FeedConsumer& consumer() { return consumer_; }
  // Assigns both topics and starts the thread; false when librdkafka refuses the assignment.
  bool run(int64_t controlFrom);
  void stop();  // joins the thread: no handler call after it returns

  // Waits until every sessions record below `end` went through its handler; false after
  // timeoutMs or stop.
  bool waitSessions(int64_t end, int timeoutMs);

 private:
  void loop();
  void sessionsReached(int64_t next);

  const mqgw_host_api* host_;
  const std::string sessionsTopic_;
  const std::string controlTopic_;
  OnRecord onSessions_;
  OnRecord onControl_;
  FeedConsumer consumer_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable reached_;
  int64_t sessionsNext_ = 0;  // guarded by mu_
};

}  // namespace mqgw::kafka
