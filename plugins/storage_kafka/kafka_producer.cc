#include "kafka_producer.h"

#include <chrono>
#include <mutex>
#include <new>
#include <utility>

#include "kafka_admin.h"
#include "kafka_conf.h"
#include "kafka_record.h"

namespace mqgw::kafka {
namespace {

constexpr const char* kName = "kafka";
constexpr int kPollMs = 100;
constexpr int kStartProbeMs = 2000;
constexpr int kRecoveryProbeMs = 500;
constexpr auto kRecoveryProbeEvery = std::chrono::seconds(1);
constexpr int kFlushOnStopMs = 10000;
constexpr int kPurgeWaitMs = 1000;

// What a delivery report needs to complete its append (cb) or state record (done).
struct Pending {
  mqgw_append_cb cb;
  Producer::RecordDone done;
  void* arg;
};

// Retrying cannot fix a record that is too large; everything else (broker down, timeouts,
// unknown topic while it is being created) is worth the core's retry.
int statusOf(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR: return MQGW_OK;
    case RD_KAFKA_RESP_ERR__QUEUE_FULL: return MQGW_E_AGAIN;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: return MQGW_E_TOO_LARGE;
    default: return MQGW_E_UNAVAILABLE;
  }
}

}  // namespace

Producer::Producer(const mqgw_host_api* host, Settings settings)
    : host_(host), settings_(std::move(settings)) {
  deliveredMetric_ = host_->metric_register("mqgw_storage_kafka_delivered_total",
                                            "Messages Kafka acknowledged (acks=all); state records not counted", 0);
  failedMetric_ = host_->metric_register("mqgw_storage_kafka_failed_total",
                                         "Records that failed to produce (the core retries)", 0);
}

Producer::~Producer() {
  stop();
  if (conf_) rd_kafka_conf_destroy(conf_);
}

bool Producer::configure(std::string* why) {
  conf_ = rd_kafka_conf_new();
  // The acknowledgement rule: a record counts as stored once every in-sync replica has it,
  // and retries never duplicate or reorder it. rdkafka.* settings come after, and win.
  if (!setConf(conf_, "bootstrap.servers", settings_.bootstrapServers, why) ||
      !setConf(conf_, "enable.idempotence", "true", why) || !setConf(conf_, "acks", "all", why))
    return false;
  for (const auto& [key, value] : settings_.rdkafka) {
    if (!setConf(conf_, key, value, why)) return false;
    if (key == "acks" && value != "all" && value != "-1")
      host_->log(MQGW_LOG_WARN, kName, "rdkafka.acks=%s: a PUBACK no longer means every "
                 "in-sync replica has the message", value.c_str());
  }
  rd_kafka_conf_set_opaque(conf_, this);
  rd_kafka_conf_set_dr_msg_cb(conf_, onDelivery);
  rd_kafka_conf_set_error_cb(conf_, onError);
  rd_kafka_conf_set_log_cb(conf_, onLog);
  return true;
}

int Producer::start() {
  if (!conf_) return MQGW_E_INVAL;
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf_, err, sizeof err);
  if (!rk_) {
    host_->log(MQGW_LOG_ERROR, kName, "cannot create the producer: %s", err);
    return MQGW_E_INVAL;
  }
  conf_ = nullptr;  // rd_kafka_new owns it now
  adminResults_ = rd_kafka_queue_new(rk_);
  {
    std::unique_lock lock(mu_);
    accepting_ = true;
  }
  // UNAVAILABLE only if no broker answers now; appends are accepted either way and librdkafka
  // delivers them once one does.
  int initial = brokerReachable(kStartProbeMs) ? MQGW_HEALTH_READY : MQGW_HEALTH_UNAVAILABLE;
  health_.store(initial);
  host_->storage_health_changed(initial);
  poller_ = std::thread([this] { pollLoop(); });
  return MQGW_OK;
}

void Producer::stop() {
  {
    std::unique_lock lock(mu_);  // waits for appends in progress
    if (!accepting_) return;
    accepting_ = false;
  }
  stopPolling_.store(true);
  if (poller_.joinable()) poller_.join();
  drainOnStop();
  rd_kafka_queue_destroy(adminResults_);
  adminResults_ = nullptr;
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
}

// Every append gets its callback before stop returns: flush what Kafka will take in time,
// then purge the rest so their reports fail (the core's retry is gone by now anyway).
void Producer::drainOnStop() {
  if (rd_kafka_flush(rk_, kFlushOnStopMs) == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  host_->log(MQGW_LOG_WARN, kName, "%d records not delivered within %d ms of stop; failing them",
             rd_kafka_outq_len(rk_), kFlushOnStopMs);
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(rk_, kPurgeWaitMs);
}

int Producer::append(mqgw_message* msg, mqgw_append_cb cb, void* arg) {
  std::shared_lock lock(mu_);
  if (!accepting_) return MQGW_E_UNAVAILABLE;
  const mqgw_message_view* m = host_->message_view(msg);
  std::string_view mqttTopic(m->topic.ptr, m->topic.len);
  std::string topic = renderTopic(settings_, mqttTopic);
  if (topic.empty()) {
    host_->log(MQGW_LOG_WARN, kName, "topic_template gives no valid Kafka topic for '%.*s'",
               static_cast<int>(m->topic.len), m->topic.ptr);
    return MQGW_E_INVAL;
  }
  createOnFirstSight(topic);
  std::string_view key =
      recordKey(settings_, mqttTopic, {m->publisher_id.ptr, m->publisher_id.len});
  auto* pending = new (std::nothrow) Pending{cb, nullptr, arg};
  if (!pending) return MQGW_E_NOMEM;
  rd_kafka_headers_t* headers = recordHeaders(*m);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_VALUE(const_cast<char*>(m->payload.ptr), m->payload.len),
      RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
      RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(pending), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return MQGW_OK;  // headers are librdkafka's now
  rd_kafka_headers_destroy(headers);
  delete pending;
  host_->metric_add(failedMetric_, 1);
  return statusOf(err);
}

bool Producer::warm(const std::string& topic, int timeoutMs) {
  std::shared_lock lock(mu_);
  if (!accepting_) return false;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  if (!rkt) return false;
  const rd_kafka_metadata_t* md = nullptr;
  bool ok = rd_kafka_metadata(rk_, 0, rkt, &md, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (md) rd_kafka_metadata_destroy(md);
  std::lock_guard keep(warmMu_);
  warm_.push_back(rkt);
  return ok;
}

int Producer::produce(const std::string& topic, std::string_view key, const void* value,
                      size_t len, RecordDone done, void* arg) {
  std::shared_lock lock(mu_);
  if (!accepting_) return MQGW_E_UNAVAILABLE;
  auto* pending = new (std::nothrow) Pending{nullptr, done, arg};
  if (!pending) return MQGW_E_NOMEM;
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_VALUE(const_cast<void*>(value), value ? len : 0),
      RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
      RD_KAFKA_V_OPAQUE(pending), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return MQGW_OK;
  delete pending;
  host_->metric_add(failedMetric_, 1);
  return statusOf(err);
}

// Under mu_ (shared), so rk_ is alive. The record is produced right away: librdkafka holds it
// until the topic's metadata shows up (or topic.metadata.propagation.max.ms passes).
void Producer::createOnFirstSight(const std::string& topic) {
  {
    std::lock_guard lock(topicsMu_);
    if (!knownTopics_.insert(topic).second) return;
  }
  TopicSpec spec{topic, settings_.topicPartitions, settings_.replicationFactor, {}};
  std::string why;
  if (createTopicsAsync(rk_, {spec}, adminResults_, &why)) return;
  host_->log(MQGW_LOG_WARN, kName, "cannot ask Kafka to create %s: %s", topic.c_str(),
             why.c_str());
  std::lock_guard lock(topicsMu_);
  knownTopics_.erase(topic);
}

// On the poll thread: a topic that could not be created is tried again on its next append.
void Producer::serveAdminResults() {
  while (rd_kafka_event_t* ev = rd_kafka_queue_poll(adminResults_, 0)) {
    bool created = false;
    for (const TopicOutcome& o : topicOutcomes(ev)) {
      if (o.exists) {
        created = true;
        continue;
      }
      host_->log(MQGW_LOG_WARN, kName, "creating topic %s failed: %s", o.name.c_str(),
                 o.error.c_str());
      std::lock_guard lock(topicsMu_);
      knownTopics_.erase(o.name);
    }
    rd_kafka_event_destroy(ev);
    if (created && onTopicCreated) onTopicCreated();
  }
}

// On the poll thread (or in stop): the record is on every in-sync replica, or it failed.
void Producer::onDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  auto* pending = static_cast<Pending*>(m->_private);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (pending->cb) self->host_->metric_add(self->deliveredMetric_, 1);
    self->setHealth(MQGW_HEALTH_READY);
  } else {
    self->host_->metric_add(self->failedMetric_, 1);
    self->host_->log(MQGW_LOG_WARN, kName, "record to %s failed: %s",
                     rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
  }
  if (pending->done)
    pending->done(pending->arg, statusOf(m->err), m->partition, m->offset);
  else
    pending->cb(pending->arg, statusOf(m->err));
  delete pending;
}

void Producer::onError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char why[512];
    rd_kafka_fatal_error(rk, why, sizeof why);
    self->host_->log(MQGW_LOG_ERROR, kName, "the producer failed for good: %s", why);
    self->setHealth(MQGW_HEALTH_UNAVAILABLE);
  } else if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    self->host_->log(MQGW_LOG_ERROR, kName, "all brokers are down: %s", reason);
    self->setHealth(MQGW_HEALTH_UNAVAILABLE);
  } else {
    self->host_->log(MQGW_LOG_WARN, kName, "%s: %s", rd_kafka_err2name(code), reason);
  }
}

void Producer::onLog(const rd_kafka_t* rk, int level, const char* facility, const char* line) {
  auto* self = static_cast<Producer*>(rd_kafka_opaque(rk));
  if (self) self->host_->log(logLevelOf(level), kName, "%s: %s", facility, line);
}

// Serves delivery reports and error events; while unavailable, asks a broker once a second
// whether it is back (an outage without appends has no delivery report to tell us).
void Producer::pollLoop() {
  auto lastProbe = std::chrono::steady_clock::now();
  while (!stopPolling_.load()) {
    rd_kafka_poll(rk_, kPollMs);
    serveAdminResults();
    if (health_.load() != MQGW_HEALTH_UNAVAILABLE) continue;
    auto now = std::chrono::steady_clock::now();
    if (now - lastProbe < kRecoveryProbeEvery) continue;
    lastProbe = now;
    if (rd_kafka_fatal_error(rk_, nullptr, 0) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        brokerReachable(kRecoveryProbeMs))
      setHealth(MQGW_HEALTH_READY);
  }
}

void Producer::setHealth(int health) {
  if (health_.exchange(health) != health) host_->storage_health_changed(health);
}

bool Producer::brokerReachable(int timeoutMs) {
  const struct rd_kafka_metadata* md = nullptr;
  if (rd_kafka_metadata(rk_, 0, nullptr, &md, timeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return false;
  bool any = md->broker_cnt > 0;
  rd_kafka_metadata_destroy(md);
  return any;
}

}  // namespace mqgw::kafka
