#include "kafka_feed.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "kafka_feed_consumer.h"
#include "kafka_feed_session.h"

namespace mqgw::kafka {
namespace {

constexpr const char* kName = "kafka";
constexpr int kMetadataTimeoutMs = 5000;
constexpr int kLiveMetadataTimeoutMs = 1000;  // the feed waits meanwhile, and so does stop()
constexpr int kEndsTimeoutMs = 5000;
constexpr int kPollMs = 100;
constexpr auto kReplayGiveUpAfter = std::chrono::seconds(30);  // without progress

using Clock = std::chrono::steady_clock;

int64_t asOffset(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

// Where replay stands in one partition: the first offset not read yet, and the end it must
// reach (the partition's end when replay began).
struct Progress {
  int64_t next = 0;
  int64_t end = 0;
};

}  // namespace

struct Feed::Impl {
  struct Part {
    std::string topic;
    int32_t partition = 0;
    uint32_t index = 0;
    int64_t start = RD_KAFKA_OFFSET_BEGINNING;  // where the feed of it starts
    bool assigned = false;
  };

  Impl(const mqgw_host_api* h, const Settings& s, PartitionTable& t)
      : host(h), settings(s), table(t) {
    fedMetric = host->metric_register("mqgw_storage_kafka_fed_total",
                                      "Records fed to the core from the data topics", 0);
    foreignMetric = host->metric_register(
        "mqgw_storage_kafka_foreign_records_total",
        "Records in the data topics skipped because they are not MQTT messages", 0);
    partitionsMetric = host->metric_register(
        "mqgw_storage_kafka_partitions", "Data topic partitions this node's feed consumes", 1);
  }

  bool discover(int timeoutMs);
  bool assignPending();
  int64_t liveStartOf(uint32_t index);
  void take(const rd_kafka_message_t* m, std::unordered_map<uint32_t, Progress>* progress);
  int replayUntilEnds(std::unordered_map<uint32_t, Progress>& progress);
  void runLive();

  const mqgw_host_api* host;
  Settings settings;
  PartitionTable& table;
  rd_kafka_conf_t* conf = nullptr;
  std::unique_ptr<FeedConsumer> main;
  std::unique_ptr<SessionReplayer> sessions;
  std::mutex mu;
  std::vector<Part> parts;                             // every data partition found; mu
  std::unordered_set<uint32_t> known;                  // their indexes; mu
  std::unordered_map<uint32_t, int64_t> pendingStart;  // replay's from[] not found yet; mu
  int64_t assignedCount = 0;                           // mu
  std::atomic<bool> stopping{false};
  std::atomic<bool> discoverNow{false};
  std::thread feeder;
  uint32_t fedMetric = 0, foreignMetric = 0, partitionsMetric = 0;
};

// Adds the data partitions not known yet; a partition named by replay's from[] starts there.
bool Feed::Impl::discover(int timeoutMs) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(main->handle(), 1, nullptr, &md, timeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    main->failed(err, "listing topics");
    return false;
  }
  std::lock_guard lock(mu);
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR || !isDataTopic(settings, t.topic)) continue;
    for (int k = 0; k < t.partition_cnt; ++k) {
      Part p{t.topic, t.partitions[k].id, table.index(t.topic, t.partitions[k].id)};
      if (!known.insert(p.index).second) continue;
      if (auto it = pendingStart.find(p.index); it != pendingStart.end()) {
        p.start = it->second;
        pendingStart.erase(it);
      }
      parts.push_back(std::move(p));
    }
  }
  rd_kafka_metadata_destroy(md);
  return true;
}

// Adds every partition not assigned yet to the consumer, each at its start.
bool Feed::Impl::assignPending() {
  std::lock_guard lock(mu);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(4);
  for (const Part& p : parts)
    if (!p.assigned)
      rd_kafka_topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset = p.start;
  int count = list->cnt;
  rd_kafka_error_t* error = count ? rd_kafka_incremental_assign(main->handle(), list) : nullptr;
  rd_kafka_topic_partition_list_destroy(list);
  if (error) {
    main->failed(rd_kafka_error_code(error), rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return false;  // the next discovery tries again
  }
  for (Part& p : parts) p.assigned = true;
  assignedCount += count;
  host->metric_add(partitionsMetric, count);
  return true;
}

// Where the live feed of a partition began, or will begin once it is found: every record from
// there on reaches the core through storage_feed.
int64_t Feed::Impl::liveStartOf(uint32_t index) {
  std::lock_guard lock(mu);
  for (const Part& p : parts)
    if (p.index == index) return std::max<int64_t>(p.start, 0);
  auto it = pendingStart.find(index);
  return it == pendingStart.end() ? 0 : it->second;
}

void Feed::Impl::take(const rd_kafka_message_t* m,
                      std::unordered_map<uint32_t, Progress>* progress) {
  if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    main->failed(m->err, rd_kafka_message_errstr(m));
    return;
  }
  main->healthy();
  bool eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
  if (progress) {
    auto it = progress->find(table.index(rd_kafka_topic_name(m->rkt), m->partition));
    if (it != progress->end()) it->second.next = std::max(it->second.next, m->offset + !eof);
  }
  if (eof) return;
  mqgw_message* msg = positionedMessage(host, table, m);
  if (!msg) {
    host->metric_add(foreignMetric, 1);
    return;
  }
  host->storage_feed(msg);
  host->message_unref(msg);
  host->metric_add(fedMetric, 1);
}

int Feed::Impl::replayUntilEnds(std::unordered_map<uint32_t, Progress>& progress) {
  auto pending = [&] {
    return std::any_of(progress.begin(), progress.end(),
                       [](const auto& e) { return e.second.next < e.second.end; });
  };
  auto lastProgress = Clock::now();
  uint64_t records = 0;
  while (pending()) {
    if (stopping.load()) return MQGW_E_UNAVAILABLE;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(main->handle(), kPollMs);
    if (m) {
      take(m, &progress);
      if (!m->err || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) lastProgress = Clock::now();
      records += !m->err;
      rd_kafka_message_destroy(m);
    } else if (Clock::now() - lastProgress > kReplayGiveUpAfter) {
      host->log(MQGW_LOG_ERROR, kName, "replay: no record for %lld s; Kafka is unavailable",
                static_cast<long long>(kReplayGiveUpAfter.count()));
      return MQGW_E_UNAVAILABLE;
    }
  }
  host->log(MQGW_LOG_INFO, kName, "replay read %llu records from %zu partitions",
            static_cast<unsigned long long>(records), progress.size());
  return MQGW_OK;
}

void Feed::Impl::runLive() {
  auto nextDiscovery = Clock::now();
  const auto every = std::chrono::milliseconds(std::max(settings.discoveryIntervalMs, 10));
  while (!stopping.load()) {
    if (discoverNow.exchange(false) || Clock::now() >= nextDiscovery) {
      if (discover(kLiveMetadataTimeoutMs)) assignPending();
      nextDiscovery = Clock::now() + every;
    }
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(main->handle(), kPollMs)) {
      take(m, nullptr);
      rd_kafka_message_destroy(m);
    }
  }
}

Feed::Feed(const mqgw_host_api* host, const Settings& settings, PartitionTable& table)
    : impl_(std::make_unique<Impl>(host, settings, table)) {}

Feed::~Feed() {
  stop();
  if (impl_->conf) rd_kafka_conf_destroy(impl_->conf);
}

bool Feed::configure(std::string* why) {
  if (impl_->conf) rd_kafka_conf_destroy(impl_->conf);
  impl_->conf = feedConsumerConf(impl_->settings, why);
  return impl_->conf != nullptr;
}

int Feed::start() {
  Impl& d = *impl_;
  if (!d.conf || d.main) return MQGW_E_INVAL;
  auto consumer = std::make_unique<FeedConsumer>(d.host, "feed");
  if (!consumer->create(d.conf)) return MQGW_E_INVAL;
  d.main = std::move(consumer);
  if (!d.discover(kMetadataTimeoutMs)) {
    d.host->log(MQGW_LOG_ERROR, kName, "feed: no broker listed the topics within %d ms",
                kMetadataTimeoutMs);
    d.main.reset();
    return MQGW_E_UNAVAILABLE;
  }
  d.sessions = std::make_unique<SessionReplayer>(
      d.host, d.table, d.conf, [&d](uint32_t index) { return d.liveStartOf(index); });
  return MQGW_OK;
}

void Feed::stop() {
  Impl& d = *impl_;
  d.stopping.store(true);
  if (d.feeder.joinable()) d.feeder.join();
  if (d.sessions) d.sessions->stop();
  d.sessions.reset();
  if (!d.main) return;
  d.main.reset();  // closes the consumer: no librdkafka callback after this
  std::lock_guard lock(d.mu);
  d.host->metric_add(d.partitionsMetric, -d.assignedCount);
  d.assignedCount = 0;
}

std::vector<mqgw_position> Feed::endOffsets() {
  Impl& d = *impl_;
  std::vector<mqgw_position> out;
  if (!d.main || d.stopping.load()) return out;
  std::vector<PartitionEnds> ends;
  std::vector<uint32_t> indexes;
  {
    std::lock_guard lock(d.mu);
    for (const Impl::Part& p : d.parts) {
      ends.push_back({p.topic, p.partition});
      indexes.push_back(p.index);
    }
  }
  if (d.main->queryEnds(ends, kEndsTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  for (size_t i = 0; i < ends.size(); ++i)
    if (ends[i].err == RD_KAFKA_RESP_ERR_NO_ERROR && ends[i].high >= 0)
      out.push_back({indexes[i], static_cast<uint64_t>(ends[i].high)});
  return out;
}

int Feed::replay(const mqgw_position* from, uint32_t n) {
  Impl& d = *impl_;
  if (!d.main || d.feeder.joinable() || (n > 0 && !from)) return MQGW_E_INVAL;
  d.discover(kMetadataTimeoutMs);  // topics made since start
  std::vector<Impl::Part> parts;
  {
    std::lock_guard lock(d.mu);
    std::unordered_map<uint32_t, int64_t> starts;
    for (uint32_t i = 0; i < n; ++i) starts[from[i].partition] = asOffset(from[i].offset);
    for (Impl::Part& p : d.parts) {
      auto it = starts.find(p.index);
      p.start = it == starts.end() ? RD_KAFKA_OFFSET_BEGINNING : it->second;
      if (it != starts.end()) starts.erase(it);
    }
    d.pendingStart = std::move(starts);  // partitions this node has not found (yet)
    parts = d.parts;
  }
  std::vector<PartitionEnds> ends;
  for (const Impl::Part& p : parts) ends.push_back({p.topic, p.partition});
  if (d.main->queryEnds(ends, kEndsTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return MQGW_E_UNAVAILABLE;
  std::unordered_map<uint32_t, Progress> progress;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Impl::Part& p = parts[i];
    if (ends[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // deleted meanwhile: no wait
    if (p.start >= 0 && p.start < ends[i].low)
      d.host->log(MQGW_LOG_WARN, kName, "replay wanted %s[%d] from offset %lld but retention "
                  "kept only %lld on", p.topic.c_str(), p.partition,
                  static_cast<long long>(p.start), static_cast<long long>(ends[i].low));
    progress[p.index] = {std::max(p.start, ends[i].low), ends[i].high};
  }
  if (!d.assignPending()) return MQGW_E_UNAVAILABLE;
  if (int rc = d.replayUntilEnds(progress); rc != MQGW_OK) return rc;
  d.feeder = std::thread([&d] { d.runLive(); });
  return MQGW_OK;
}

int Feed::replaySession(const mqgw_position* from, const mqgw_position* to, uint32_t n,
                        uint64_t target, mqgw_done_cb done, void* arg) {
  Impl& d = *impl_;
  if (!d.sessions || d.stopping.load()) return MQGW_E_UNAVAILABLE;
  return d.sessions->enqueue(from, to, n, target, done, arg);
}

void Feed::discoverSoon() { impl_->discoverNow.store(true); }

}  // namespace mqgw::kafka
