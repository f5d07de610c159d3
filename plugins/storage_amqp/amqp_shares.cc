#include "amqp_shares.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "amqp_connection.h"
#include "amqp_inbound.h"
#include "amqp_names.h"
#include "topic_filter.h"

namespace mqgw::amqp {
namespace {

constexpr const char* kName = "amqp";
constexpr int kWaitMs = 200;  // a delivery wait; commands and stop are seen this often
constexpr int kBatch = 256;   // deliveries handled in a row at most

using Clock = std::chrono::steady_clock;

std::string keyOf(std::string_view group, std::string_view filter) {
  std::string key(group);
  key.push_back('\0');
  key.append(filter);
  return key;
}

std::string_view bytesView(amqp_bytes_t b) {
  return {static_cast<const char*>(b.bytes), b.len};
}

}  // namespace

struct Shares::Impl {
  // join/leave as the gateway asked for them, in order, for the thread
  struct Command {
    bool join;
    std::string group, filter;
  };
  // A group this node consumes (thread side).
  struct Group {
    std::string group, filter, queue;
    Route binding;
    std::string consumerTag;  // empty: not consuming (not yet, or the connection was lost)
    int failures = 0;         // setup attempts failed in a row
    Clock::time_point retryAt{};
  };

  Impl(const mqgw_host_api* h, const Settings& s) : host(h), settings(s) {}

  int join(std::string group, std::string filter);
  int leave(std::string group, std::string filter);
  void stop();

  // the thread
  void run();
  void applyCommands();
  bool connect();
  void setUpGroups();
  bool setUp(Group& g, std::string* why);
  void lost(const std::string& why);
  void pump();
  void handle(Delivery& d);
  Group* groupOfTag(std::string_view tag);
  void sleepMs(int ms);

  const mqgw_host_api* host;
  const Settings settings;
  uint32_t fedMetric = UINT32_MAX;
  uint32_t skippedMetric = UINT32_MAX;

  // shared with the gateway threads, under mu
  std::mutex mu;
  std::condition_variable wake;
  std::map<std::string, int> refs;  // joins minus leaves, by keyOf(group, filter)
  std::deque<Command> commands;
  bool stopping = false;
  std::thread thread;  // started by the first join

  // the thread's own
  std::unique_ptr<Connection> conn;
  std::map<std::string, Group> groups;  // by keyOf(group, filter)
  int attempt = 0;                      // reconnects failed in a row
  bool warned = false;                  // the outage is logged once
};

Shares::Shares(const mqgw_host_api* host, const Settings& settings)
    : impl_(std::make_unique<Impl>(host, settings)) {
  impl_->fedMetric = host->metric_register(
      "mqgw_storage_amqp_share_fed_total",
      "Messages this node took from its $share queues and handed to the core", 0);
  impl_->skippedMetric = host->metric_register(
      "mqgw_storage_amqp_share_skipped_total",
      "Messages a $share queue delivered that match no filter or are not MQTT messages", 0);
}

Shares::~Shares() { stop(); }

void Shares::stop() { impl_->stop(); }

int Shares::join(mqgw_str group, mqgw_str filter) {
  return impl_->join({group.ptr, group.len}, {filter.ptr, filter.len});
}

int Shares::leave(mqgw_str group, mqgw_str filter) {
  return impl_->leave({group.ptr, group.len}, {filter.ptr, filter.len});
}

// On a gateway loop: checks what needs no RabbitMQ and queues the rest for the thread.
int Shares::Impl::join(std::string group, std::string filter) {
  Route binding;
  if (!bindingOf(settings, filter, &binding)) {
    host->log(MQGW_LOG_ERROR, kName, "share %s %s: no AMQP binding for it (too long)",
              group.c_str(), filter.c_str());
    return MQGW_E_INVAL;
  }
  std::lock_guard lock(mu);
  if (stopping) return MQGW_E_UNAVAILABLE;
  if (refs[keyOf(group, filter)]++ > 0) return MQGW_OK;
  commands.push_back({true, std::move(group), std::move(filter)});
  if (!thread.joinable()) thread = std::thread([this] { run(); });
  wake.notify_all();
  return MQGW_OK;
}

int Shares::Impl::leave(std::string group, std::string filter) {
  std::lock_guard lock(mu);
  auto it = refs.find(keyOf(group, filter));
  if (it == refs.end()) return MQGW_E_NOT_FOUND;
  if (--it->second > 0) return MQGW_OK;
  refs.erase(it);
  if (stopping) return MQGW_OK;
  commands.push_back({false, std::move(group), std::move(filter)});
  wake.notify_all();
  return MQGW_OK;
}

// No host call after this returns: the thread is joined. Closing the connection hands every
// unacknowledged delivery back to RabbitMQ for the group's other nodes.
void Shares::Impl::stop() {
  {
    std::lock_guard lock(mu);
    stopping = true;
    commands.clear();
    wake.notify_all();
  }
  if (thread.joinable()) thread.join();
}

void Shares::Impl::run() {
  conn = std::make_unique<Connection>(settings.endpoint, "mqgw " + settings.nodeId + " shares");
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (stopping) break;
    }
    applyCommands();
    if (!conn->isOpen() && !connect()) continue;
    setUpGroups();
    if (conn->isOpen()) pump();
  }
  conn->close();
  conn.reset();
  groups.clear();
}

void Shares::Impl::applyCommands() {
  std::deque<Command> todo;
  {
    std::lock_guard lock(mu);
    todo.swap(commands);
  }
  for (Command& c : todo) {
    std::string key = keyOf(c.group, c.filter);
    if (c.join) {
      Group g{c.group, c.filter, shareQueueName(settings, c.group, c.filter), {}, {}, 0, {}};
      bindingOf(settings, c.filter, &g.binding);  // checked by join()
      groups.insert_or_assign(key, std::move(g));
      continue;
    }
    auto it = groups.find(key);
    if (it == groups.end()) continue;
    // Deliveries already on their way for this consumer go back to the queue (handle()).
    if (!it->second.consumerTag.empty() && conn && conn->isOpen())
      conn->cancel(it->second.consumerTag);
    host->log(MQGW_LOG_DEBUG, kName, "share %s %s: left queue %s", c.group.c_str(),
              c.filter.c_str(), it->second.queue.c_str());
    groups.erase(it);
  }
}

// One attempt; a failure waits the backoff (or until stop) before returning false.
bool Shares::Impl::connect() {
  std::string why;
  if (conn->open(&why)) {
    if (warned)
      host->log(MQGW_LOG_INFO, kName, "shares: connected to RabbitMQ again (%s)",
                redactedUrl(settings.url).c_str());
    attempt = 0;
    warned = false;
    for (auto& [key, g] : groups) g.consumerTag.clear();  // a group that failed keeps its wait
    return true;
  }
  if (!warned)
    host->log(MQGW_LOG_WARN, kName, "shares: cannot connect to RabbitMQ (%s): %s; retrying",
              redactedUrl(settings.url).c_str(), why.c_str());
  warned = true;
  sleepMs(backoffMs(settings, attempt++));
  return false;
}

// Every joined group not yet consuming, unless its last failure is too recent. A failed
// declaration closes the channel: the rest wait for the next connection.
void Shares::Impl::setUpGroups() {
  const Clock::time_point now = Clock::now();
  for (auto& [key, g] : groups) {
    if (!g.consumerTag.empty() || g.retryAt > now) continue;
    std::string why;
    if (setUp(g, &why)) {
      g.failures = 0;
      host->log(MQGW_LOG_DEBUG, kName, "share %s %s: consuming queue %s (bound %s to %s)",
                g.group.c_str(), g.filter.c_str(), g.queue.c_str(), g.binding.routingKey.c_str(),
                g.binding.exchange.c_str());
      continue;
    }
    host->log(MQGW_LOG_WARN, kName, "share %s %s: cannot consume queue %s: %s", g.group.c_str(),
              g.filter.c_str(), g.queue.c_str(), why.c_str());
    g.retryAt = now + std::chrono::milliseconds(backoffMs(settings, g.failures++));
    if (!conn->isOpen()) return lost("the channel closed after that");
  }
}

// The exchange is declared too (idempotent), with the log's binding the publisher would give it:
// a console instance's exchange exists only once something was published to it, a binding needs
// it, and what plain AMQP clients publish into it must reach the log from the start.
bool Shares::Impl::setUp(Group& g, std::string* why) {
  return conn->declareExchange(g.binding.exchange, why) &&
         conn->bind(stateName(settings, "log"), g.binding.exchange, "#", why) &&
         conn->declareQueue(g.queue, /*durable=*/true, /*autoDelete=*/true, why) &&
         conn->bind(g.queue, g.binding.exchange, g.binding.routingKey, why) &&
         conn->consume(g.queue, settings.prefetch, "", &g.consumerTag, why);
}

// The channel is gone and with it every consumer; RabbitMQ requeues what was not acknowledged.
void Shares::Impl::lost(const std::string& why) {
  for (auto& [key, g] : groups) g.consumerTag.clear();
  if (conn->isOpen()) conn->close();
  host->log(MQGW_LOG_WARN, kName, "shares: RabbitMQ connection lost: %s; reconnecting",
            why.c_str());
  warned = true;
  sleepMs(backoffMs(settings, attempt++));
}

// Deliveries until a wait times out, a batch is done, or the gateway queued a command.
void Shares::Impl::pump() {
  for (int i = 0; i < kBatch; ++i) {
    Delivery d;
    Wait w = conn->nextDelivery(kWaitMs, &d);
    if (w == Wait::kTimeout) return;
    if (w == Wait::kClosed) {
      std::string why = conn->lastError().empty() ? "closed" : conn->lastError();
      return lost(why);
    }
    handle(d);
    std::lock_guard lock(mu);
    if (stopping || !commands.empty()) return;
  }
}

void Shares::Impl::handle(Delivery& d) {
  Group* g = groupOfTag(bytesView(d.envelope().consumer_tag));
  if (!g) {  // for a consumer cancelled since: another node of the group takes it
    conn->reject(d.tag(), /*requeue=*/true);
    return;
  }
  mqgw_message* msg = inboundMessage(host, settings, d);
  bool fed = false;
  if (msg) {
    const mqgw_message_view* v = host->message_view(msg);
    // The binding is coarser than the filter: "*" also matches a literal "*" level.
    if (cluster::topicMatchesFilter(g->filter, {v->topic.ptr, v->topic.len})) {
      // No position: the message is not in the log this node feeds, so a persistent
      // session's cursor must not track it.
      host->storage_feed_shared({g->group.data(), g->group.size()},
                                {g->filter.data(), g->filter.size()}, msg);
      fed = true;
    }
    host->message_unref(msg);
  }
  host->metric_add(fed ? fedMetric : skippedMetric, 1);
  conn->ack(d.tag(), /*multiple=*/false);  // a failure shows as kClosed on the next wait
}

Shares::Impl::Group* Shares::Impl::groupOfTag(std::string_view tag) {
  for (auto& [key, g] : groups)
    if (!g.consumerTag.empty() && g.consumerTag == tag) return &g;
  return nullptr;
}

void Shares::Impl::sleepMs(int ms) {
  std::unique_lock lock(mu);
  wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
}

}  // namespace mqgw::amqp
