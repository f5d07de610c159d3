// The publish path of the `amqp` backend: one thread owns one confirm-mode Connection. append()
// only queues (bounded by max_pending: beyond it MQGW_E_AGAIN); the thread publishes whatever
// is queued in one go, then completes appends as RabbitMQ's confirms arrive (basic.ack,
// `multiple` covering many). A message goes to its instance's topic exchange (amqp_names
// routeOf); an exchange the publisher has not used yet is declared durable on first sight and
// the log stream bound to it with "#", before its first message.
// RabbitMQ down or the connection lost: every unconfirmed append fails MQGW_E_UNAVAILABLE (the
// core keeps the publish unacknowledged and retries), appends fail at once while disconnected,
// health is UNAVAILABLE (reported once through host->storage_health_changed) and the thread
// reconnects with backoff (backoffMs); READY again once connected and the topology declared.
//
// Decisions:
// - Batching without a syscall per append. append() takes a reference, pushes onto a vector
//   under a mutex and wakes the thread (condition variable) only when it sleeps idle; a busy
//   thread swaps the whole vector out each round, routes and encodes each message, writes the
//   round's frames with one send (Connection::flush), then drains every confirm already
//   there. With confirms outstanding and nothing queued it waits at most 5 ms for one before
//   looking at the queue again; idle, it sleeps up to 200 ms (heartbeats, a closed connection
//   are noticed then). No lock is held during I/O or while callbacks run.
// - Completion order. Callbacks run in publish (tag) order: a confirm for a later tag waits
//   for the earlier ones; a `multiple` ack settles every tag up to it. A nack completes
//   MQGW_E_UNAVAILABLE (the core retries). A topic routeOf refuses (over 255 bytes) completes
//   MQGW_E_TOO_LARGE through the callback, in order, without reaching RabbitMQ.
// - Bound. max_pending counts appends queued or unconfirmed; beyond it append is refused
//   MQGW_E_AGAIN (synchronously, no callback — as every synchronous refusal). publishTo has a
//   reserve above it (max_pending/4 + 64) so the backend's own records (claims, cursors,
//   markers) are not starved by a saturated data path.
// - Exchanges. The set of declared exchanges is per connection: after a reconnect each is
//   declared (and the log bound to it) again before its first message, so a RabbitMQ that lost
//   its data gets them back. A declaration that fails ends the connection like any channel
//   error (its appends fail UNAVAILABLE and the core retries after the backoff).
// - Health. UNAVAILABLE when a connection attempt fails or the connection is lost, READY after
//   each successful (re)connect, reported only on change — except the first attempt's outcome,
//   which start() always reports (the core assumes READY until told). The first failed attempt
//   of an outage is logged as a warning, the retries at debug level.
// - Stop. Appends queued before stop() are still published; stop waits up to 5 s for their
//   confirms, then fails the rest MQGW_E_UNAVAILABLE and closes the connection.
// - Metrics: mqgw_storage_amqp_published_total (messages and records written),
//   _confirmed_total (completed OK), _failed_total (completed with an error),
//   _reconnects_total (connections made after the first).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "amqp_connection.h"
#include "amqp_record.h"
#include "amqp_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

class Publisher {
 public:
  Publisher(const mqgw_host_api* host, const Settings& settings);
  ~Publisher();  // stop()
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Runs on the publisher thread after every (re)connect, before anything is published:
  // declares the backend's topology (exchange, streams, bindings). Set before start.
  std::function<bool(Connection&, std::string* why)> onConnected;

  // Spawns the thread; returns MQGW_OK once connected, or MQGW_E_UNAVAILABLE if the first
  // connection did not succeed within the connect timeout (the thread keeps trying).
  int start();
  // Waits up to 5 s for outstanding confirms, fails what is left with MQGW_E_UNAVAILABLE,
  // joins the thread. Appends after stop fail with MQGW_E_UNAVAILABLE.
  void stop();
  int health() const { return health_.load(); }

  // storage op append: the message to its instance's exchange. MQGW_OK: cb(arg, status) follows
  // exactly once, from the publisher thread. Any other return (not connected, over
  // max_pending, stopped): refused, and cb is never called.
  int append(mqgw_message* msg, mqgw_append_cb cb, void* arg);

  // The backend's own records: published through the default exchange ("") straight to the
  // stream or queue named `queue` (so they never pass an instance's topic exchange). Same
  // completion rules as append.
  int publishTo(const std::string& queue, OutgoingMessage msg, mqgw_append_cb cb, void* arg);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> health_{MQGW_HEALTH_UNAVAILABLE};
};

}  // namespace mqgw::amqp
