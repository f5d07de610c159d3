// StateStore::load: this node's sessions and floor from the sessions topic (as the state
// consumer has read it up to the end captured now) and the retained messages (read here, once,
// to their end).
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka_feed_consumer.h"
#include "kafka_state_impl.h"
#include "load_visit.h"

namespace mqgw::kafka {
namespace {

constexpr int kReadTimeoutMs = 60000;
constexpr int kFirstFloorWaitMs = 10000;
constexpr int kPollMs = 100;

// The last value of every key of partition 0 of topic below `end`; a tombstone removes the key.
// nullopt when the end was not reached in time.
std::optional<std::map<std::string, std::string>> readCompacted(
    const mqgw_host_api* host, const rd_kafka_conf_t* conf, const std::string& topic,
    int64_t end) {
  std::map<std::string, std::string> last;
  if (end <= 0) return last;
  FeedConsumer consumer(host, "retained");
  if (!consumer.create(conf)) return std::nullopt;
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer.handle(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadTimeoutMs);
  bool done = false;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.handle(), kPollMs);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      done = m->offset >= end;
    } else if (m->err) {
      consumer.failed(m->err, rd_kafka_message_errstr(m));
    } else {
      std::string key(m->key ? static_cast<const char*>(m->key) : "", m->key ? m->key_len : 0);
      if (m->payload)
        last[key].assign(static_cast<const char*>(m->payload), m->len);
      else
        last.erase(key);
      done = m->offset + 1 >= end;
    }
    rd_kafka_message_destroy(m);
  }
  if (!done) return std::nullopt;
  return last;
}

}  // namespace

bool StateStore::Impl::writeFirstFloor(const std::vector<mqgw_position>& ends) {
  Impl& s = *this;
  struct Wait {
    std::promise<int> stored;
  };
  auto wait = std::make_shared<Wait>();
  std::future<int> stored = wait->stored.get_future();
  auto write = [&s, &wait](const std::string& key, const std::string* value) {
    auto* keep = new std::shared_ptr<Wait>(wait);
    int rc = s.producer.produce(
        s.sessionsTopic, key, value ? value->data() : nullptr, value ? value->size() : 0,
        [](void* arg, int status, int32_t, int64_t) {
          auto* w = static_cast<std::shared_ptr<Wait>*>(arg);
          (*w)->stored.set_value(status);
          delete w;
        },
        keep);
    if (rc != MQGW_OK) delete keep;
    return rc;
  };
  const uint64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  if (s.view.putFloor(s.table.named(ends.data(), static_cast<uint32_t>(ends.size())), nowMs,
                      write) != MQGW_OK)
    return false;
  return stored.wait_for(std::chrono::milliseconds(kFirstFloorWaitMs)) == std::future_status::ready &&
         stored.get() == MQGW_OK;
}

int StateStore::load(const mqgw_load_visitor* v) {
  Impl& s = *impl_;
  if (!s.started || !v) return MQGW_E_UNAVAILABLE;
  const int64_t sessionsEnd = stateEndOffset(s.follower.consumer(), s.sessionsTopic);
  const int64_t retainedEnd = stateEndOffset(s.follower.consumer(), s.retainedTopic);
  if (sessionsEnd < 0 || retainedEnd < 0) {
    s.host->log(MQGW_LOG_ERROR, kStateLog, "no end offsets for %s and %s",
                s.sessionsTopic.c_str(), s.retainedTopic.c_str());
    return MQGW_E_UNAVAILABLE;
  }
  if (!s.follower.waitSessions(sessionsEnd, kReadTimeoutMs)) {
    s.host->log(MQGW_LOG_ERROR, kStateLog, "%s: not read to offset %lld within %d ms",
                s.sessionsTopic.c_str(), static_cast<long long>(sessionsEnd), kReadTimeoutMs);
    return MQGW_E_UNAVAILABLE;
  }
  std::optional<std::map<std::string, std::string>> retained =
      readCompacted(s.host, s.consumerConf, s.retainedTopic, retainedEnd);
  if (!retained) {
    s.host->log(MQGW_LOG_ERROR, kStateLog, "%s: not read to offset %lld within %d ms",
                s.retainedTopic.c_str(), static_cast<long long>(retainedEnd), kReadTimeoutMs);
    return MQGW_E_UNAVAILABLE;
  }

  cluster::visitOwnSessions(
      s.view,
      [&s](const std::vector<NamedPosition>& cursor) { return s.table.toCore(cursor); }, v);

  // A node that never stored a floor starts at "now"; one that did resumes from it, and a
  // partition it had not seen then (a topic created while it was away) from its beginning.
  std::vector<mqgw_position> ends = s.feed.endOffsets();
  if (std::optional<std::vector<NamedPosition>> floor = s.view.floorOf(s.settings.nodeId)) {
    std::vector<mqgw_position> mine = s.table.toCore(*floor);
    for (const mqgw_position& e : ends) {
      bool named = false;
      for (const mqgw_position& p : mine) named = named || p.partition == e.partition;
      if (!named) mine.push_back({e.partition, 0});
    }
    for (const mqgw_position& p : mine) v->floor(v->arg, p);
  } else {
    // Stored before anything is routed: a node killed before its first sweep must not come
    // back as "new" and skip what it had acknowledged but not yet delivered.
    if (!s.writeFirstFloor(ends))
      s.host->log(MQGW_LOG_WARN, kStateLog, "%s: this node's first floor was not stored yet",
                  s.sessionsTopic.c_str());
    for (const mqgw_position& e : ends) v->floor(v->arg, e);
  }

  if (size_t unreadable = cluster::visitRetained(s.host, *retained, v))
    s.host->log(MQGW_LOG_WARN, kStateLog, "%s: %zu retained messages unreadable; dropped",
                s.retainedTopic.c_str(), unreadable);
  return MQGW_OK;
}

}  // namespace mqgw::kafka
