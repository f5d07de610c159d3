// One MQTT client connection on a worker's libuv loop: CONNECT/CONNACK, SUBSCRIBE/SUBACK, then
// either publishing (paced or window-limited) or receiving. Outgoing packets accumulate in out_
// and are written once per loop iteration by the worker (one uv_write per connection in flight).
// Over tls/ws/wss a TransportStack sits between out_ and the socket: its handshakes run first
// (state Handshake), then MQTT bytes pass through it both ways.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "login.h"
#include "mqtt/mqtt_codec.h"
#include "publish_template.h"
#include "run_state.h"
#include "tracker.h"
#include "transport.h"

namespace mqgw::bench {

class Worker;

struct PublisherCounts {
  uint64_t sent = 0;          // every PUBLISH written, warm-up included
  uint64_t sentMeasured = 0;  // stamped inside the measurement window
  uint64_t acked = 0;         // PUBACK / PUBCOMP received
  uint64_t windowResets = 0;  // end-to-end window stalled 1 s (messages lost) and was reopened
};

class Connection {
 public:
  enum class State : uint8_t { Idle, Connecting, Handshake, AwaitConnack, AwaitSuback, Ready, Closing, Closed };

  Connection(Worker& worker, ConnectionSpec spec, Login login);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens the socket (bound to spec.sourceIp when not empty) and starts the TCP connect.
  void start(const sockaddr_in& broker);
  // Publisher: appends the messages that are due now (rate or window), marks itself dirty.
  void pump(uint64_t nowNs);
  // Writes the accumulated output if no write is in flight.
  void flush();
  void sendPingIfIdle(uint64_t nowNs, uint64_t idleNs);
  // Sends DISCONNECT (when connected) and closes the handle.
  void shutdown();

  State state() const { return state_; }
  const ConnectionSpec& spec() const { return spec_; }
  const PublisherCounts& publisherCounts() const { return pub_; }
  const DeliveryCounts* deliveryCounts() const { return tracker_ ? &tracker_->counts() : nullptr; }
  uint64_t connectLatencyNs() const { return connackNs_ - connectStartNs_; }
  bool dirty = false;     // on the worker's dirty list
  bool lostAfterReady = false;  // the broker closed or reset it during the run

 private:
  static void onConnect(uv_connect_t* req, int status);
  static void onAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onClose(uv_handle_t* h);

  void sendConnect();
  void startTransport();
  void receiveWire(const uint8_t* data, size_t len);
  void sendDisconnect();
  void consume(const uint8_t* data, size_t len);
  // Handles one packet; returns false when the connection must close.
  bool handleFrame(const mqtt::Frame& f);
  bool handleConnack(const mqtt::Frame& f);
  bool handlePublish(const mqtt::Frame& f);
  bool handleAck(const mqtt::Frame& f);
  void becomeReady();
  void fail(const char* why);
  void queueAck(mqtt::PacketType type, uint16_t packetId);
  uint64_t dueMessages(uint64_t nowNs);
  uint64_t endToEndRoom(uint64_t nowNs);

  Worker& worker_;
  ConnectionSpec spec_;
  Login login_;  // Client ID, and the console username/password when logging in to one
  mqtt::Version version_;
  State state_ = State::Idle;
  bool handleOpen_ = false;
  bool writeInFlight_ = false;

  uv_tcp_t tcp_{};
  uv_connect_t connectReq_{};
  uv_write_t writeReq_{};
  std::vector<uint8_t> out_;      // being filled
  std::vector<uint8_t> writing_;  // owned by the write in flight
  std::vector<uint8_t> partial_;  // an incomplete packet carried to the next read
  std::unique_ptr<TransportStack> stack_;  // null for plain TCP
  std::vector<uint8_t> wire_;     // tls/ws: transport output not yet written
  uint64_t lastWriteNs_ = 0;

  uint64_t connectStartNs_ = 0;
  uint64_t connackNs_ = 0;

  // Publisher state.
  PublishTemplate template_;
  PublisherCounts pub_;
  uint32_t seq_ = 0;
  uint32_t inflight_ = 0;
  uint32_t window_ = 0;
  uint16_t nextPacketId_ = 1;
  uint64_t forgiven_ = 0;         // deliveries written off as lost after a stall
  uint64_t lastDelivered_ = 0;
  uint64_t lastDeliveryNs_ = 0;

  std::unique_ptr<SubscriberTracker> tracker_;
};

}  // namespace mqgw::bench
