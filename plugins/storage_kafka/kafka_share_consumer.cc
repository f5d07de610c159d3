#include "kafka_share_consumer.h"

#include <chrono>
#include <cstring>
#include <utility>

#include "kafka_conf.h"
#include "kafka_record.h"
#include "kafka_share_topics.h"
#include "topic_filter.h"

namespace mqgw::kafka {
namespace {

constexpr const char* kName = "kafka";
constexpr int kPollMs = 100;
constexpr int kLookupTimeoutMs = 5000;  // committed offsets / offsets for the join time

int64_t wallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool set(rd_kafka_conf_t* conf, const char* key, const std::string& value, std::string* why) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK)
    return true;
  *why = std::string("librdkafka setting '") + key + "': " + err;
  return false;
}

// " topic[partition]@offset ..." for the debug log of a rebalance
std::string describe(const rd_kafka_topic_partition_list_t* parts) {
  std::string out;
  for (int i = 0; i < parts->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = parts->elems[i];
    out += " " + std::string(p.topic) + "[" + std::to_string(p.partition) + "]";
    if (p.offset >= 0) out += "@" + std::to_string(p.offset);
  }
  return out;
}

}  // namespace

ShareConsumer::ShareConsumer(const mqgw_host_api* host, PartitionTable& table,
                             ShareMetrics metrics, std::string group, std::string filter)
    : host_(host),
      table_(table),
      metrics_(metrics),
      group_(std::move(group)),
      filter_(std::move(filter)) {}

ShareConsumer::~ShareConsumer() {
  requestClose();
  join();
}

bool ShareConsumer::start(const rd_kafka_conf_t* base, const std::string& groupId,
                          const std::string& subscription, std::string* why) {
  rd_kafka_conf_t* conf = rd_kafka_conf_dup(base);
  // Each (group, filter) is its own Kafka group whatever rdkafka.* says: set last.
  std::string clientId = "mqgw-share-" + groupId;
  if (!set(conf, "group.id", groupId, why) || !set(conf, "client.id", clientId, why)) {
    rd_kafka_conf_destroy(conf);
    return false;
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_rebalance_cb(conf, onRebalance);
  rd_kafka_conf_set_log_cb(conf, onLog);
  joinedMs_ = wallClockMs();  // before the group can hand out a partition
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    *why = std::string("cannot create a consumer: ") + err;
    return false;
  }
  rd_kafka_poll_set_consumer(rk_);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, subscription.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t sub = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (sub != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *why = "cannot subscribe to " + subscription + ": " + rd_kafka_err2str(sub);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
    return false;
  }
  thread_ = std::thread([this] { run(); });
  return true;
}

void ShareConsumer::join() {
  if (thread_.joinable()) thread_.join();
}

void ShareConsumer::run() {
  while (!closing_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, kPollMs);
    if (!m) continue;
    handle(m);
    rd_kafka_message_destroy(m);
  }
  // Commits what was stored and leaves the group, so Kafka moves this node's partitions to
  // the other members now rather than after session.timeout.ms.
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    host_->log(MQGW_LOG_WARN, kName, "share %s %s: closing the consumer: %s", group_.c_str(),
               filter_.c_str(), rd_kafka_err2str(err));
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
  finished_.store(true);
}

void ShareConsumer::handle(rd_kafka_message_t* m) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    logError(m);
    return;
  }
  mqgw_message* msg = decodeRecord(host_, m);
  bool fed = false;
  if (msg) {
    const mqgw_message_view* v = host_->message_view(msg);
    if (cluster::topicMatchesFilter(filter_, {v->topic.ptr, v->topic.len})) {
      // Left before this one reached the core: do not store it, the next owner of the
      // partition gets it from the last commit.
      if (closing_.load()) {
        host_->message_unref(msg);
        return;
      }
      uint32_t index = table_.index(rd_kafka_topic_name(m->rkt), m->partition);
      host_->message_set_position(msg, {index, static_cast<uint64_t>(m->offset)});
      host_->storage_feed_shared({group_.data(), group_.size()},
                                 {filter_.data(), filter_.size()}, msg);
      fed = true;
    }
    host_->message_unref(msg);
  }
  host_->metric_add(fed ? metrics_.fed : metrics_.skipped, 1);
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, rd_kafka_topic_name(m->rkt), m->partition)
      ->offset = m->offset + 1;
  rd_kafka_offsets_store(rk_, offsets);  // fails only for a partition just revoked
  rd_kafka_topic_partition_list_destroy(offsets);
}

// Errors repeat (every metadata refresh, every reconnect attempt): log each kind once in a row.
void ShareConsumer::logError(const rd_kafka_message_t* m) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->err == lastError_) return;
  lastError_ = m->err;
  bool waiting = m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                 m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
  host_->log(waiting ? MQGW_LOG_INFO : MQGW_LOG_WARN, kName, "share %s %s: %s%s",
             group_.c_str(), filter_.c_str(), rd_kafka_message_errstr(m),
             waiting ? " (waiting for the topic to be created)" : "");
}

void ShareConsumer::onRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<ShareConsumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->assign(parts);
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    self->revoke(parts);
  } else {
    self->host_->log(MQGW_LOG_WARN, kName, "share %s %s: rebalance failed: %s",
                     self->group_.c_str(), self->filter_.c_str(), rd_kafka_err2str(err));
    rd_kafka_assign(rk, nullptr);  // eager protocol's way to start over; harmless otherwise
  }
}

void ShareConsumer::assign(rd_kafka_topic_partition_list_t* parts) {
  if (!closing_.load()) startFromJoinTime(parts);
  host_->log(MQGW_LOG_DEBUG, kName, "share %s %s: assigned %d partitions:%s", group_.c_str(),
             filter_.c_str(), parts->cnt, describe(parts).c_str());
  bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
  if (!cooperative) {  // an rdkafka.partition.assignment.strategy override
    rd_kafka_assign(rk_, parts);
    return;
  }
  if (rd_kafka_error_t* error = rd_kafka_incremental_assign(rk_, parts)) {
    host_->log(MQGW_LOG_WARN, kName, "share %s %s: assign: %s", group_.c_str(),
               filter_.c_str(), rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

void ShareConsumer::revoke(rd_kafka_topic_partition_list_t* parts) {
  host_->log(MQGW_LOG_DEBUG, kName, "share %s %s: revoked %d partitions:%s", group_.c_str(),
             filter_.c_str(), parts->cnt, describe(parts).c_str());
  // Commit what reached the core now, synchronously: the next owner asks for the committed
  // offsets as soon as it is assigned, and the auto-commit after unassign comes too late for
  // it (it would start at its join time and feed again what this node already fed).
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_, nullptr, 0);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
    host_->log(MQGW_LOG_WARN, kName, "share %s %s: commit before revoke: %s", group_.c_str(),
               filter_.c_str(), rd_kafka_err2str(err));
  bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
  if (!cooperative) {
    rd_kafka_assign(rk_, nullptr);
    return;
  }
  if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_, parts)) {
    host_->log(MQGW_LOG_WARN, kName, "share %s %s: unassign: %s", group_.c_str(),
               filter_.c_str(), rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

// A partition no member ever committed (a topic created after the group formed, or the
// group's first members) starts at this node's join time rather than at its end: what was
// published since the $share group existed here is not skipped because the partition's
// assignment came later. Partitions with a commit, or when Kafka does not answer, keep
// librdkafka's own rule (the commit, else auto.offset.reset).
void ShareConsumer::startFromJoinTime(rd_kafka_topic_partition_list_t* parts) {
  if (parts->cnt == 0) return;
  rd_kafka_topic_partition_list_t* committed = rd_kafka_topic_partition_list_copy(parts);
  rd_kafka_topic_partition_list_t* fresh = rd_kafka_topic_partition_list_new(parts->cnt);
  if (rd_kafka_committed(rk_, committed, kLookupTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < committed->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = committed->elems[i];
      if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset == RD_KAFKA_OFFSET_INVALID)
        rd_kafka_topic_partition_list_add(fresh, p.topic, p.partition)->offset = joinedMs_;
    }
  }
  if (fresh->cnt > 0 &&
      rd_kafka_offsets_for_times(rk_, fresh, kLookupTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < fresh->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = fresh->elems[i];
      int64_t start = p.offset;
      if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      if (start < 0 && !endOffset(p.topic, p.partition, &start)) continue;
      rd_kafka_topic_partition_t* target =
          rd_kafka_topic_partition_list_find(parts, p.topic, p.partition);
      if (target) target->offset = start;
    }
  }
  rd_kafka_topic_partition_list_destroy(fresh);
  rd_kafka_topic_partition_list_destroy(committed);
}

// -1 from offsets_for_times: no record at or after the join time yet, so the next one written
// is the start. Not the logical END: that is resolved when fetching begins, and records may
// have come by then.
bool ShareConsumer::endOffset(const char* topic, int32_t partition, int64_t* end) {
  int64_t low = 0;
  return rd_kafka_query_watermark_offsets(rk_, topic, partition, &low, end, kLookupTimeoutMs) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

void ShareConsumer::onLog(const rd_kafka_t* rk, int level, const char* facility,
                          const char* line) {
  auto* self = static_cast<ShareConsumer*>(rd_kafka_opaque(rk));
  if (self) self->host_->log(logLevelOf(level), kName, "%s: %s", facility, line);
}

}  // namespace mqgw::kafka
