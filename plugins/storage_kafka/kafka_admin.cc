#include "kafka_admin.h"

#include <chrono>
#include <thread>

namespace mqgw::kafka {
namespace {

constexpr int kDefaultOperationTimeoutMs = 10000;
constexpr int kMetadataRetryMs = 100;

bool everyPartitionLed(const rd_kafka_metadata_t* md) {
  if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) return false;
  for (int i = 0; i < md->topics[0].partition_cnt; ++i)
    if (md->topics[0].partitions[i].err || md->topics[0].partitions[i].leader < 0) return false;
  return true;
}

rd_kafka_NewTopic_t* newTopic(const TopicSpec& spec, std::string* why) {
  char err[512];
  rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                 spec.replicationFactor, err, sizeof err);
  if (!t) {
    *why = "topic '" + spec.name + "': " + err;
    return nullptr;
  }
  for (const auto& [key, value] : spec.config) {
    if (rd_kafka_NewTopic_set_config(t, key.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      *why = "topic '" + spec.name + "': bad config " + key + "=" + value;
      rd_kafka_NewTopic_destroy(t);
      return nullptr;
    }
  }
  return t;
}

}  // namespace

bool createTopicsAsync(rd_kafka_t* rk, const std::vector<TopicSpec>& specs,
                       rd_kafka_queue_t* queue, std::string* why) {
  std::vector<rd_kafka_NewTopic_t*> topics;
  for (const TopicSpec& spec : specs) {
    rd_kafka_NewTopic_t* t = newTopic(spec, why);
    if (!t) {
      rd_kafka_NewTopic_destroy_array(topics.data(), topics.size());
      return false;
    }
    topics.push_back(t);
  }
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  char err[512];
  rd_kafka_AdminOptions_set_operation_timeout(options, kDefaultOperationTimeoutMs, err, sizeof err);
  rd_kafka_CreateTopics(rk, topics.data(), topics.size(), options, queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy_array(topics.data(), topics.size());
  return true;
}

std::vector<TopicOutcome> topicOutcomes(rd_kafka_event_t* ev) {
  std::vector<TopicOutcome> out;
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(ev);
  if (!result) return out;
  const char* requestError =
      rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev) : nullptr;
  size_t n = 0;
  const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &n);
  for (size_t i = 0; i < n; ++i) {
    TopicOutcome o;
    o.name = rd_kafka_topic_result_name(topics[i]);
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(topics[i]);
    o.exists = !requestError && (err == RD_KAFKA_RESP_ERR_NO_ERROR ||
                                 err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
    if (!o.exists) {
      const char* text = rd_kafka_topic_result_error_string(topics[i]);
      o.error = requestError ? requestError : text ? text : rd_kafka_err2str(err);
    }
    out.push_back(std::move(o));
  }
  return out;
}

bool createTopics(rd_kafka_t* rk, const std::vector<TopicSpec>& specs, int timeoutMs,
                  std::string* why) {
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  bool ok = createTopicsAsync(rk, specs, queue, why);
  rd_kafka_event_t* ev = ok ? rd_kafka_queue_poll(queue, timeoutMs) : nullptr;
  if (ok && !ev) {
    *why = "no answer to CreateTopics within " + std::to_string(timeoutMs) + " ms";
    ok = false;
  }
  if (ev) {
    std::vector<TopicOutcome> outcomes = topicOutcomes(ev);
    if (outcomes.empty() && rd_kafka_event_error(ev)) {
      *why = rd_kafka_event_error_string(ev);
      ok = false;
    }
    for (const TopicOutcome& o : outcomes) {
      if (o.exists) continue;
      *why = "topic '" + o.name + "': " + o.error;
      ok = false;
      break;
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(queue);
  return ok;
}

bool waitForLeaders(rd_kafka_t* rk, const std::string& topic, int timeoutMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  bool led = false;
  while (!led) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, rkt, &md, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      led = everyPartitionLed(md);
      rd_kafka_metadata_destroy(md);
    }
    if (led || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(kMetadataRetryMs));
  }
  rd_kafka_topic_destroy(rkt);
  return led;
}

}  // namespace mqgw::kafka
