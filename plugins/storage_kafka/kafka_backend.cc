#include "kafka_backend.h"

#include <utility>

#include "joined_completion.h"

namespace mqgw::kafka {

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
  // The log record and the retained record: one completion for both.
  return cluster::appendRetained(
      cb, arg, [&](mqgw_append_cb done, void* part) { return producer_.append(msg, done, part); },
      [&](mqgw_append_cb done, void* part) { return state_.putRetained(msg, done, part); });
}

}  // namespace mqgw::kafka
