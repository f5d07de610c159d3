#include "kafka_feed_consumer.h"

#include <string_view>
#include <utility>

#include "kafka_conf.h"
#include "kafka_record.h"

namespace mqgw::kafka {
namespace {

constexpr const char* kName = "kafka";

}  // namespace

rd_kafka_conf_t* feedConsumerConf(const Settings& s, std::string* why) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The consumers are assigned partitions by hand and never join the group, and offsets are
  // the core's business (cursors): nothing is ever committed. EOF events tell a replay it
  // reached the end even where offsets have gaps.
  const std::pair<const char*, std::string> ours[] = {
      {"bootstrap.servers", s.bootstrapServers},
      {"group.id", "mqgw." + s.instance + ".feed." + s.nodeId},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},  // an offset retention removed: from the oldest kept
      {"fetch.wait.max.ms", "10"},
      {"fetch.min.bytes", "1"},
  };
  for (const auto& [key, value] : ours)
    if (!setConf(conf, key, value, why)) return rd_kafka_conf_destroy(conf), nullptr;
  for (const auto& [key, value] : s.rdkafka)
    if (!setConf(conf, key, value, why)) return rd_kafka_conf_destroy(conf), nullptr;
  return conf;
}

FeedConsumer::FeedConsumer(const mqgw_host_api* host, std::string role)
    : host_(host), role_(std::move(role)) {}

FeedConsumer::~FeedConsumer() {
  if (!rk_) return;
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
}

bool FeedConsumer::create(const rd_kafka_conf_t* conf) {
  rd_kafka_conf_t* mine = rd_kafka_conf_dup(conf);
  rd_kafka_conf_set_opaque(mine, this);
  rd_kafka_conf_set_log_cb(mine, onLog);
  rd_kafka_conf_set_error_cb(mine, onError);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, mine, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(mine);
    host_->log(MQGW_LOG_ERROR, kName, "cannot create the %s consumer: %s", role_.c_str(), err);
    return false;
  }
  rd_kafka_poll_set_consumer(rk_);  // error callbacks are served by rd_kafka_consumer_poll
  return true;
}

// Two ListOffsets queries, for the oldest and the next offset of every partition at once.
rd_kafka_resp_err_t FeedConsumer::queryEnds(std::vector<PartitionEnds>& parts, int timeoutMs) {
  if (parts.empty()) return RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int64_t which : {RD_KAFKA_OFFSET_BEGINNING, RD_KAFKA_OFFSET_END}) {
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(parts.size()));
    for (const PartitionEnds& p : parts)
      rd_kafka_topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset = which;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk_, list, timeoutMs);
    for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) {
      PartitionEnds& p = parts[static_cast<size_t>(i)];
      (which == RD_KAFKA_OFFSET_END ? p.high : p.low) = list->elems[i].offset;
      if (list->elems[i].err) p.err = list->elems[i].err;
    }
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failed(err, "asking for the partitions' end offsets");
      return err;
    }
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

void FeedConsumer::failed(rd_kafka_resp_err_t err, const char* what) {
  if (lastError_.exchange(err) == err) return;
  host_->log(MQGW_LOG_WARN, kName, "%s consumer: %s: %s", role_.c_str(), what,
             rd_kafka_err2str(err));
}

void FeedConsumer::onLog(const rd_kafka_t* rk, int level, const char* facility, const char* line) {
  auto* self = static_cast<FeedConsumer*>(rd_kafka_opaque(rk));
  if (!self || level > 4) return;
  // rdkafka.* settings serve the producer and the consumers alike: that a consumer ignores a
  // producer setting (linger.ms, acks) is no news.
  int mqgwLevel = std::string_view(facility) == "CONFWARN" ? MQGW_LOG_DEBUG : logLevelOf(level);
  self->host_->log(mqgwLevel, kName, "%s consumer: %s: %s", self->role_.c_str(), facility, line);
}

void FeedConsumer::onError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  static_cast<FeedConsumer*>(opaque)->failed(static_cast<rd_kafka_resp_err_t>(err), reason);
}

mqgw_message* positionedMessage(const mqgw_host_api* host, PartitionTable& table,
                                const rd_kafka_message_t* m) {
  mqgw_message* msg = decodeRecord(host, m);
  if (!msg) return nullptr;
  uint32_t index = table.index(rd_kafka_topic_name(m->rkt), m->partition);
  host->message_set_position(msg, {index, static_cast<uint64_t>(m->offset)});
  return msg;
}

}  // namespace mqgw::kafka
