#include "kafka_state_follower.h"

#include <chrono>
#include <utility>

#include "kafka_admin.h"

namespace mqgw::kafka {
namespace {

constexpr int kPollMs = 100;
constexpr int kEndOffsetTimeoutMs = 10000;
constexpr int kEndOffsetQueryMs = 1000;

}  // namespace

int64_t stateEndOffset(FeedConsumer& consumer, const std::string& topic) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kEndOffsetTimeoutMs);
  int64_t low = 0, high = -1;
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        consumer.handle(), topic.c_str(), 0, &low, &high, kEndOffsetQueryMs);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return high;
    if (std::chrono::steady_clock::now() > deadline) {
      consumer.failed(err, ("end offset of " + topic).c_str());
      return -1;
    }
    waitForLeaders(consumer.handle(), topic, kEndOffsetQueryMs);
  }
}

StateFollower::StateFollower(const mqgw_host_api* host, std::string sessionsTopic,
                             std::string controlTopic, OnRecord onSessions, OnRecord onControl)
    : host_(host),
      sessionsTopic_(std::move(sessionsTopic)),
      controlTopic_(std::move(controlTopic)),
      onSessions_(std::move(onSessions)),
      onControl_(std::move(onControl)),
      consumer_(host, "state") {}

StateFollower::~StateFollower() { stop(); }

bool StateFollower::create(const rd_kafka_conf_t* conf) { return consumer_.create(conf); }

bool StateFollower::run(int64_t controlFrom) {
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(2);
  rd_kafka_topic_partition_list_add(parts, sessionsTopic_.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_topic_partition_list_add(parts, controlTopic_.c_str(), 0)->offset = controlFrom;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.handle(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    host_->log(MQGW_LOG_ERROR, "kafka", "state consumer: cannot assign %s and %s: %s",
               sessionsTopic_.c_str(), controlTopic_.c_str(), rd_kafka_err2str(err));
    return false;
  }
  thread_ = std::thread([this] { loop(); });
  return true;
}

void StateFollower::stop() {
  stopping_.store(true);
  reached_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool StateFollower::waitSessions(int64_t end, int timeoutMs) {
  std::unique_lock lock(mu_);
  return reached_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [&] { return sessionsNext_ >= end || stopping_.load(); }) &&
         !stopping_.load();
}

void StateFollower::sessionsReached(int64_t next) {
  {
    std::lock_guard lock(mu_);
    if (next <= sessionsNext_) return;
    sessionsNext_ = next;
  }
  reached_.notify_all();
}

void StateFollower::loop() {
  rd_kafka_t* rk = consumer_.handle();
  while (!stopping_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, kPollMs);
    if (!m) continue;
    const bool sessions = m->rkt && sessionsTopic_ == rd_kafka_topic_name(m->rkt);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (sessions) sessionsReached(m->offset);
    } else if (m->err) {
      consumer_.failed(m->err, rd_kafka_message_errstr(m));
    } else {
      consumer_.healthy();
      if (sessions) {
        onSessions_(m);
        sessionsReached(m->offset + 1);
      } else {
        onControl_(m);
      }
    }
    rd_kafka_message_destroy(m);
  }
}

}  // namespace mqgw::kafka
