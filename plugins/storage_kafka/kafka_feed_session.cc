#include "kafka_feed_session.h"

#include <algorithm>
#include <limits>

namespace mqgw::kafka {
namespace {

constexpr const char* kName = "kafka";
constexpr auto kGiveUpAfter = std::chrono::seconds(10);  // without progress
constexpr int kPollMs = 100;
constexpr int kEndsTimeoutMs = 1000;
constexpr auto kRetryEvery = std::chrono::milliseconds(200);

int64_t asOffset(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

}  // namespace

SessionReplayer::SessionReplayer(const mqgw_host_api* host, PartitionTable& table,
                                 const rd_kafka_conf_t* conf, LiveStart liveStart)
    : host_(host), table_(table), conf_(rd_kafka_conf_dup(conf)),
      liveStart_(std::move(liveStart)) {}

SessionReplayer::~SessionReplayer() {
  stop();
  rd_kafka_conf_destroy(conf_);
}

int SessionReplayer::enqueue(const mqgw_position* from, const mqgw_position* to, uint32_t n,
                             uint64_t target, mqgw_done_cb done, void* arg) {
  if (!done || (n > 0 && (!from || !to))) return MQGW_E_INVAL;
  Job job{{}, target, done, arg};
  for (uint32_t i = 0; i < n; ++i) {
    Range r;
    if (from[i].partition != to[i].partition) return MQGW_E_INVAL;
    if (!table_.find(from[i].partition, &r.topic, &r.partition)) continue;  // never seen here
    r.from = r.next = asOffset(from[i].offset);
    r.to = to[i].offset;
    job.ranges.push_back(std::move(r));
  }
  std::lock_guard lock(mu_);
  if (stopped_) return MQGW_E_UNAVAILABLE;
  jobs_.push_back(std::move(job));
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  wake_.notify_one();
  return MQGW_OK;
}

void SessionReplayer::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stopping_.store(true);
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  consumer_.reset();  // no librdkafka callback after this
  for (Job& job : jobs_) job.done(job.arg, MQGW_E_UNAVAILABLE);
  jobs_.clear();
}

void SessionReplayer::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopped_ || !jobs_.empty(); });
      if (stopped_) return;  // stop() fails what is left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    int status = serve(job);
    job.done(job.arg, status);
  }
}

int SessionReplayer::serve(Job& job) {
  lastProgress_ = std::chrono::steady_clock::now();
  if (!consumer_) {
    auto consumer = std::make_unique<FeedConsumer>(host_, "session replay");
    if (!consumer->create(conf_)) return MQGW_E_UNAVAILABLE;
    consumer_ = std::move(consumer);
  }
  if (!resolveEnds(job)) return MQGW_E_UNAVAILABLE;
  if (finished(job)) return MQGW_OK;
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(job.ranges.size()));
  for (const Range& r : job.ranges)
    if (r.next < r.end)
      rd_kafka_topic_partition_list_add(list, r.topic.c_str(), r.partition)->offset = r.from;
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer_->handle(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    consumer_->failed(err, "assign");
    return MQGW_E_UNAVAILABLE;
  }
  int status = MQGW_OK;
  while (!finished(job)) {
    if (stopping_.load()) {
      status = MQGW_E_UNAVAILABLE;
      break;
    }
    if (std::chrono::steady_clock::now() - lastProgress_ > kGiveUpAfter) {
      host_->log(MQGW_LOG_WARN, kName, "session replay: no progress for %lld s; giving up",
                 static_cast<long long>(kGiveUpAfter.count()));
      status = MQGW_E_UNAVAILABLE;
      break;
    }
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_->handle(), kPollMs)) {
      take(job, m);
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_assign(consumer_->handle(), nullptr);  // the next job starts afresh
  return status;
}

// Each range ends at its `to` (the live start for UINT64_MAX), but never past what the
// partition holds now: waiting for records not yet written would be waiting for the live feed.
bool SessionReplayer::resolveEnds(Job& job) {
  std::vector<PartitionEnds> ends;
  for (const Range& r : job.ranges) ends.push_back({r.topic, r.partition});
  while (consumer_->queryEnds(ends, kEndsTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (stopping_.load() || std::chrono::steady_clock::now() - lastProgress_ > kGiveUpAfter)
      return false;
    std::this_thread::sleep_for(kRetryEvery);
  }
  consumer_->healthy();
  for (size_t i = 0; i < ends.size(); ++i) {
    Range& r = job.ranges[i];
    if (ends[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {  // deleted: nothing left to feed
      r.end = r.next;
      continue;
    }
    int64_t end = r.to == UINT64_MAX ? liveStart_(table_.index(r.topic, r.partition))
                                     : asOffset(r.to);
    r.end = std::min(end, ends[i].high);
    r.next = std::max(r.next, ends[i].low);  // what retention removed cannot be fed
  }
  lastProgress_ = std::chrono::steady_clock::now();
  return true;
}

bool SessionReplayer::finished(const Job& job) const {
  return std::all_of(job.ranges.begin(), job.ranges.end(),
                     [](const Range& r) { return r.next >= r.end; });
}

void SessionReplayer::take(Job& job, const rd_kafka_message_t* m) {
  if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    consumer_->failed(m->err, rd_kafka_message_errstr(m));
    return;
  }
  const char* topic = rd_kafka_topic_name(m->rkt);
  auto r = std::find_if(job.ranges.begin(), job.ranges.end(), [&](const Range& x) {
    return x.partition == m->partition && x.topic == topic;
  });
  if (r == job.ranges.end()) return;  // left over from an earlier job
  lastProgress_ = std::chrono::steady_clock::now();
  consumer_->healthy();
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    r->next = std::max(r->next, m->offset);
    return;
  }
  if (m->offset < r->from || m->offset >= r->end) return;
  r->next = std::max(r->next, m->offset + 1);
  if (mqgw_message* msg = positionedMessage(host_, table_, m)) {
    host_->storage_feed_session(job.target, msg);
    host_->message_unref(msg);
  }
}

}  // namespace mqgw::kafka
