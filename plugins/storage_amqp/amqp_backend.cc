#include "amqp_backend.h"

#include <utility>

#include "amqp_names.h"
#include "joined_completion.h"

namespace mqgw::amqp {

Backend::Backend(const mqgw_host_api* host, Settings settings)
    : host_(host),
      settings_(std::move(settings)),
      publisher_(host, settings_),
      feed_(host, settings_, publisher_),
      state_(host, settings_, publisher_, feed_),
      shares_(host, settings_) {
  publisher_.onConnected = [this](Connection& c, std::string* why) {
    return declareTopology(c, why);
  };
}

Backend::~Backend() { stop(); }

// Runs on every (re)connect of the publisher: all idempotent, so RabbitMQ restarted with its
// data gone gets the topology back before the first message.
bool Backend::declareTopology(Connection& c, std::string* why) const {
  const std::string exchange = exchangeOf(settings_, settings_.instance);
  const std::string log = stateName(settings_, "log");
  const std::string state = stateName(settings_, "state");
  const std::string control = stateName(settings_, "control");
  return c.declareExchange(exchange, why) && c.declareStream(log, settings_.logMaxBytes, why) &&
         c.declareStream(state, 0, why) && c.declareStream(control, 0, why) &&
         c.bind(log, exchange, "#", why);
}

int Backend::start() {
  if (int rc = publisher_.start(); rc != MQGW_OK) {
    host_->log(MQGW_LOG_ERROR, "amqp", "cannot start on RabbitMQ at %s (the publisher's "
               "warning says why)", redactedUrl(settings_.url).c_str());
    return rc;
  }
  return state_.start();
}

// Consumers first (no more feeds or claims into a stopping core), the publisher last: it
// waits for the confirms of what the core still handed it. Each part's stop is idempotent.
void Backend::stop() {
  shares_.stop();
  feed_.stop();
  state_.stop();
  publisher_.stop();
}

int Backend::append(mqgw_message* msg, mqgw_append_cb cb, void* arg) {
  if (!host_->message_view(msg)->retain) return publisher_.append(msg, cb, arg);
  // The log record and the retained record: one completion for both.
  return cluster::appendRetained(
      cb, arg, [&](mqgw_append_cb done, void* part) { return publisher_.append(msg, done, part); },
      [&](mqgw_append_cb done, void* part) { return state_.putRetained(msg, done, part); });
}

}  // namespace mqgw::amqp
