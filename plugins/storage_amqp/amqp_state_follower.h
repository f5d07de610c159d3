// One consumer thread that follows a stream of the backend's own (state or control) on a
// Connection of its own: declares the stream (durable, no length limit), consumes it from
// `startAt` ("first" or "next") and hands every record in stream order to a handler. A lost
// connection: it reconnects with backoff (Settings reconnect_min/max) and resumes after the last
// offset it handled — nothing handed twice, nothing skipped.
// Markers: sync() publishes one on the follower's own channel once its consumer is registered
// and waits until it comes back, so every record stored before the call went through the
// handler. A follower that starts at "next" publishes one of its own on registration to learn
// the offset it resumes from. Before resuming after a reconnect it learns the stream's end the
// same way (on a short-lived connection): an end below where it was means the stream was
// deleted and made again (RabbitMQ lost its data): it logs that and reads the new one whole.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "amqp_connection.h"
#include "amqp_settings.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::amqp {

class StreamFollower {
 public:
  using OnRecord = std::function<void(int64_t offset, const Delivery& d)>;

  // purpose: in logs and RabbitMQ's connection list ("mqgw <node> <purpose>")
  StreamFollower(const mqgw_host_api* host, const Settings& settings, std::string stream,
                 std::string startAt, std::string purpose, OnRecord onRecord);
  ~StreamFollower();  // stop()
  StreamFollower(const StreamFollower&) = delete;
  StreamFollower& operator=(const StreamFollower&) = delete;

  // Spawns the thread; true once the consumer is registered, false when that did not happen
  // within timeoutMs (the thread goes on trying until stop).
  bool start(int timeoutMs);
  void stop();  // joins the thread: no handler call after it returns

  // Publishes a marker and waits until the follower read it back (every record stored before
  // went through the handler); false after timeoutMs or stop.
  bool sync(int timeoutMs);

  const std::string& stream() const { return stream_; }

 private:
  void run();
  bool connect(Connection& c, int attempt);
  std::string resumeFrom() const;  // the x-stream-offset to consume from
  void follow(Connection& c);
  void handle(const Delivery& d);
  void markerRead(std::string_view id, int64_t offset);
  // The offset a marker published now gets: the stream's end.
  bool probeEnd(int64_t* end, std::string* why);
  bool publishMarkers(Connection& c);
  void sleepFor(int ms);

  const mqgw_host_api* host_;
  const Settings settings_;
  const std::string stream_;
  const std::string startAt_;
  const std::string purpose_;
  OnRecord onRecord_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  const std::string markerPrefix_;  // "<node>/<purpose>/<unique per process>/"

  struct Marker {
    bool read = false;
    uint64_t publishedOn = 0;  // the connection it went out on (0: not yet)
    bool waited = true;        // false: the follower's own, erased once read
  };
  std::mutex mu_;
  std::condition_variable changed_;
  bool registered_ = false;  // the consumer was registered once
  uint64_t connection_ = 0;  // counts registrations
  // Markers asked for, by id. Published again after a reconnect: one sent on a lost
  // connection may never have been stored.
  std::unordered_map<std::string, Marker> markers_;
  uint64_t markerSeq_ = 0;

  // the follower thread's own
  int64_t next_ = -1;  // the offset after the last record handled; -1: none yet
  bool restartedFromFirst_ = false;  // the stream was made again: read it from "first"
  uint64_t unacked_ = 0;
  uint64_t lastTag_ = 0;
};

}  // namespace mqgw::amqp
