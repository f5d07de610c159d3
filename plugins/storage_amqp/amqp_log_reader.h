// One consumer of the log stream (<prefix>log) on a Connection of its own, for the feed
// (amqp_feed.h): the live feed, session replays and endOffset each read through one. Every
// message at or after next() is handed over once, in offset order, across reconnects: after a
// lost connection it consumes again from next() and skips what RabbitMQ delivers below it (the
// rest of that chunk). Markers are never handed over; the one this reader awaits is noted
// (markerOffset()). Not thread-safe: one thread uses a reader.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "amqp_connection.h"
#include "amqp_settings.h"

namespace mqgw::amqp {

class Publisher;

// A message of the log and its x-stream-offset.
using OnMessage = std::function<void(const Delivery&, uint64_t offset)>;

// The x-stream-offset argument for a decimal offset (capped at INT64_MAX).
std::string offsetSpec(uint64_t offset);

class LogReader {
 public:
  // start: where consuming begins until a delivery was handled ("first", "next" or decimal).
  // purpose: in RabbitMQ's connection list ("mqgw <node> <purpose>").
  LogReader(const Settings& s, Publisher& publisher, const std::string& purpose,
            std::string start);
  ~LogReader();

  bool isOpen() const { return conn_ && conn_->isOpen(); }
  std::string lastError() const { return conn_ ? conn_->lastError() : std::string(); }
  std::optional<uint64_t> next() const { return next_; }
  std::optional<uint64_t> markerOffset() const { return markerOffset_; }

  // Watch for a marker of this reader's own. eager: published on connecting; otherwise once
  // the stream ran dry (a poll timed out). Published again after a refusal or failed confirm.
  void awaitMarker(bool eager);

  bool connect(std::string* why);
  void close();

  // Waits up to timeoutMs for one delivery and hands it over; kClosed when the connection is
  // gone (connect() again).
  Wait poll(int timeoutMs, const OnMessage& fn);

 private:
  struct MarkerConfirm;

  bool awaiting() const { return !marker_.empty() && !markerOffset_; }
  bool markerFailed() const;
  void publishMarker();
  void take(const Delivery& d, const OnMessage& fn);
  void flushAcks();

  const Settings& settings_;
  Publisher& publisher_;
  std::string stream_, name_, start_;
  uint32_t ackEvery_;
  std::unique_ptr<Connection> conn_;
  std::optional<uint64_t> next_;  // the first offset not handled yet
  uint32_t unacked_ = 0;
  uint64_t lastTag_ = 0;
  std::string marker_;
  bool eager_ = false;
  std::shared_ptr<MarkerConfirm> confirm_;  // of the last marker published
  std::optional<uint64_t> markerOffset_;
};

}  // namespace mqgw::amqp
