#include "kafka_backend.h"

#include <atomic>
#include <new>
#include <utility>

namespace mqgw::kafka {
namespace {

// Two records for one retained append: the first failure, or OK once both are stored.
struct BothStored {
  mqgw_append_cb cb;
  void* arg;
  std::atomic<int> left{2};
  std::atomic<int> status{MQGW_OK};
};

void onOneStored(void* arg, int status) {
  auto* b = static_cast<BothStored*>(arg);
  if (status != MQGW_OK) {
    int ok = MQGW_OK;
    b->status.compare_exchange_strong(ok, status);
  }
  if (b->left.fetch_sub(1) != 1) return;
  b->cb(b->arg, b->status.load());
  delete b;
}

}  // namespace

Backend::Backend(const mqgw_host_api* host, Settings settings)
    : host_(host),
      settings_(std::move(settings)),
      producer_(host, settings_),
      feed_(host, settings_, table_),
      state_(host, settings_, producer_, feed_, table_),
      shares_(host, settings_, table_),
      meta_(host, settings_, producer_) {}

Backend::~Backend() { stop(); }

bool Backend::configure(std::string* why) {
  producer_.onTopicCreated = [this] { feed_.discoverSoon(); };
  return producer_.configure(why) && feed_.configure(why) && state_.configure(why) &&
         shares_.configure(why) && meta_.configure(why);
}

int Backend::start() {
  if (int rc = producer_.start(); rc != MQGW_OK) return rc;
  if (int rc = feed_.start(); rc != MQGW_OK) return rc;
  if (int rc = state_.start(); rc != MQGW_OK) return rc;
  if (int rc = meta_.start(); rc != MQGW_OK) return rc;
  started_ = true;
  return MQGW_OK;
}

// Consumers first (no more feeds or claims into a stopping core), the producer last: it
// flushes what the core still handed it.
void Backend::stop() {
  if (!started_) return;
  started_ = false;
  shares_.stop();
  feed_.stop();
  state_.stop();
  meta_.stop();
  producer_.stop();
}

int Backend::load(const mqgw_load_visitor* v) {
  if (int rc = meta_.waitLoaded(); rc != MQGW_OK) return rc;
  return state_.load(v);
}

int Backend::append(mqgw_message* msg, mqgw_append_cb cb, void* arg) {
  if (!host_->message_view(msg)->retain) return producer_.append(msg, cb, arg);
  auto* both = new (std::nothrow) BothStored{cb, arg};
  if (!both) return MQGW_E_NOMEM;
  if (int rc = producer_.append(msg, onOneStored, both); rc != MQGW_OK) {
    delete both;
    return rc;
  }
  if (int rc = state_.putRetained(msg, onOneStored, both); rc != MQGW_OK) onOneStored(both, rc);
  return MQGW_OK;
}

}  // namespace mqgw::kafka
