// What reaches this node's subscribers: the instance's log stream (<prefix>log, bound "#" to
// every instance exchange), read by one consumer thread from where replay starts and fed in
// stream order through host->storage_feed, each message positioned {0, x-stream-offset}. The
// stream is the log of decision 0007: one partition (0), offsets from RabbitMQ.
// RabbitMQ delivers a stream from the start of the chunk holding the asked offset: messages
// below it are acknowledged and skipped. Markers (header mqgw.marker, published by nodes to
// learn the stream's end) and messages that are not MQTT (amqp_record decodeMessage nullptr and
// no instance exchange to map from) are skipped too, the latter counted.
// A lost connection: the thread reconnects with backoff and resumes after the last offset it
// fed — nothing lost, nothing fed twice. Deliveries are acknowledged (multiple) every
// prefetch/4 and whenever the stream runs dry: on a stream acks only return prefetch credit.
// Metrics: mqgw_storage_amqp_fed_total, _foreign_total, _feed_reconnects_total (the live
// feed's connection, replay included; not session replays' or endOffset's).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "amqp_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

class Publisher;

class Feed {
 public:
  Feed(const mqgw_host_api* host, const Settings& settings, Publisher& publisher);
  ~Feed();  // stop()
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // The log stream's current end: consumes it at "next" on a short-lived Connection of its own,
  // publishes a marker (Publisher::publishTo) and reads until it; the marker's offset — every
  // message stored before the call lies below it. Blocks (not on a loop) up to timeoutMs in
  // all; false when RabbitMQ did not answer. A node that never stored a floor starts its feed
  // here ("now"; the marker itself is never fed).
  bool endOffset(uint64_t* out, int timeoutMs);

  // storage op replay: consume the log from from[partition 0] (none named: "first"), feed
  // everything up to the end as it was when replay began (a marker published once the consumer
  // is registered), then return; the live feed goes on on the feed thread with the same
  // consumer. MQGW_E_UNAVAILABLE when nothing arrived for 30 s (RabbitMQ gone) or on stop;
  // MQGW_E_INVAL when called twice. A from past the log's end (the stream was made again)
  // is logged and the feed starts at the end.
  int replay(const mqgw_position* from, uint32_t n);
  // The offset of replay's end marker: the first offset replay did not feed. Replay fed the
  // messages below it (at or after from), the live feed feeds those above it, the marker itself
  // is fed by no one. session_replay's "to == UINT64_MAX" ends here. 0 before replay returned.
  uint64_t liveStart() const;

  // storage op session_replay: requests queue up and one thread serves them in turn, each on
  // a Connection of its own: feed offsets [from, to) of partition 0 through
  // host->storage_feed_session(target, ...), then done once (MQGW_OK, or MQGW_E_UNAVAILABLE
  // when nothing arrived for 30 s or on stop). A `to` past the log's end ends at the end: once
  // the stream runs dry the reader publishes a marker and stops there. Partitions other than 0
  // are ignored; none named: done(MQGW_OK) from the thread.
  int replaySession(const mqgw_position* from, const mqgw_position* to, uint32_t n,
                    uint64_t target, mqgw_done_cb done, void* arg);

  void stop();  // joins every thread; pending session replays end with MQGW_E_UNAVAILABLE

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqgw::amqp
