#include "kafka_meta.h"

#include <chrono>
#include <vector>

#include "kafka_admin.h"
#include "kafka_producer.h"
#include "kafka_state_follower.h"

namespace mqgw::kafka {
namespace {

constexpr const char* kLog = "kafka";
constexpr int kCreateTopicsTimeoutMs = 15000;
constexpr int kLeadersTimeoutMs = 10000;
constexpr int kLoadTimeoutMs = 60000;
constexpr int kPollMs = 100;

// A lost record stays lost until the resource changes again: say so.
void metaWritten(void* arg, int status, int32_t, int64_t) {
  if (status == MQGW_OK) return;
  auto* host = static_cast<const mqgw_host_api*>(arg);
  host->log(MQGW_LOG_WARN, kLog, "a console metadata record was not stored (%s)",
            host->strerror(status));
}

}  // namespace

MetaStore::MetaStore(const mqgw_host_api* host, const Settings& settings, Producer& producer)
    : host_(host),
      settings_(settings),
      producer_(producer),
      topic_(stateTopic(settings, "metadata")),
      consumer_(host, "metadata") {}

MetaStore::~MetaStore() {
  stop();
  if (conf_) rd_kafka_conf_destroy(conf_);
}

bool MetaStore::configure(std::string* why) {
  conf_ = feedConsumerConf(settings_, why);
  return conf_ != nullptr;
}

int MetaStore::start() {
  if (!conf_ || thread_.joinable()) return MQGW_E_INVAL;
  if (!consumer_.create(conf_)) return MQGW_E_INVAL;
  std::vector<TopicSpec> specs = {
      {topic_, 1, settings_.replicationFactor, {{"cleanup.policy", "compact"}}}};
  std::string why;
  if (!createTopics(consumer_.handle(), specs, kCreateTopicsTimeoutMs, &why) ||
      !waitForLeaders(consumer_.handle(), topic_, kLeadersTimeoutMs)) {
    host_->log(MQGW_LOG_ERROR, kLog, "cannot create the metadata topic %s: %s", topic_.c_str(),
               why.empty() ? "no leader" : why.c_str());
    return MQGW_E_UNAVAILABLE;
  }
  producer_.warm(topic_, kLeadersTimeoutMs);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic_.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.handle(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    host_->log(MQGW_LOG_ERROR, kLog, "metadata consumer: cannot assign %s: %s", topic_.c_str(),
               rd_kafka_err2str(err));
    return MQGW_E_UNAVAILABLE;
  }
  stopping_.store(false);
  thread_ = std::thread([this] { loop(); });
  return MQGW_OK;
}

void MetaStore::stop() {
  stopping_.store(true);
  reached_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int MetaStore::waitLoaded() {
  if (!thread_.joinable()) return MQGW_E_UNAVAILABLE;
  const int64_t end = stateEndOffset(consumer_, topic_);
  if (end < 0) return MQGW_E_UNAVAILABLE;
  std::unique_lock lock(mu_);
  bool done = reached_.wait_for(lock, std::chrono::milliseconds(kLoadTimeoutMs), [&] {
    return next_ >= end || stopping_.load();
  });
  if (done && !stopping_.load()) return MQGW_OK;
  host_->log(MQGW_LOG_ERROR, kLog, "%s: not read to offset %lld within %d ms", topic_.c_str(),
             static_cast<long long>(end), kLoadTimeoutMs);
  return MQGW_E_UNAVAILABLE;
}

int MetaStore::put(mqgw_str key, const uint8_t* value, size_t len) {
  if (!key.ptr || key.len == 0 || (len && !value)) return MQGW_E_INVAL;
  return producer_.produce(topic_, {key.ptr, key.len}, len ? value : nullptr, len, metaWritten,
                           const_cast<mqgw_host_api*>(host_));
}

void MetaStore::reached(int64_t next) {
  {
    std::lock_guard lock(mu_);
    if (next <= next_) return;
    next_ = next;
  }
  reached_.notify_all();
}

void MetaStore::loop() {
  rd_kafka_t* rk = consumer_.handle();
  while (!stopping_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, kPollMs);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      reached(m->offset);
    } else if (m->err) {
      consumer_.failed(m->err, rd_kafka_message_errstr(m));
    } else {
      consumer_.healthy();
      if (m->key && m->key_len && host_->storage_meta)
        host_->storage_meta({static_cast<const char*>(m->key), m->key_len},
                            static_cast<const uint8_t*>(m->payload), m->payload ? m->len : 0);
      reached(m->offset + 1);
    }
    rd_kafka_message_destroy(m);
  }
}

}  // namespace mqgw::kafka
