// One AMQP 0-9-1 connection with one channel, on rabbitmq-c. rabbitmq-c is not thread-safe:
// a Connection belongs to the one thread that uses it (each part of the backend has its own).
// Calls block for at most their timeout; nothing here runs on a gateway loop.
//
// Decisions:
// - Closing on any broker-side error. A channel.close or connection.close from RabbitMQ (a failed
//   declaration, a deleted queue, a broker shutting down), a basic.cancel of our consumer, a
//   socket error or a missed heartbeat all end the whole Connection: it answers the close,
//   drops the socket, sets lastError() and isOpen() turns false. open() starts afresh, so every
//   user has a single recovery path (reopen, redeclare, resume) instead of half-open channels.
// - publish() encodes the frames itself (method, header through amqp_encode_properties, body
//   split at frame_max) into an outbound buffer, and flush() writes the buffer in one go.
//   rabbitmq-c's amqp_basic_publish makes one send() per frame, three per message; batching
//   is what lets one thread publish >100k messages/s. Every call that waits for or asks
//   something of the broker (RPCs, nextConfirm, nextDelivery, ack, close) flushes first, so a
//   caller that never calls flush() sees plain in-order publishing; a large buffer (256 KiB)
//   is flushed by publish() itself.
// - Timeouts: the TCP connect and the login handshake use Endpoint::connectTimeoutMs; RPCs
//   (declarations, consume, cancel) max(5 s, 2 x connect timeout) — rabbitmq-c drops the
//   socket when one times out; a flush that cannot write for 30 s ends the connection.
// - URLs and passwords never reach an error string: errors name host:port and vhost only.
// - A Connection either consumes or publishes with confirms: nextDelivery skips confirms and
//   nextConfirm skips deliveries. Stream queues refuse basic.reject/nack (RabbitMQ closes the
//   connection: 540 NOT_IMPLEMENTED); on a stream only ack.
// - The client advertises consumer_cancel_notify, so a consumer whose queue is deleted gets
//   basic.cancel (→ kClosed) instead of waiting forever.
#pragma once

#include <amqp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amqp_settings.h"

namespace mqgw::amqp {

// One message delivered to a consumer; owns the rabbitmq-c envelope.
class Delivery {
 public:
  Delivery() = default;
  ~Delivery();
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  const amqp_envelope_t& envelope() const { return envelope_; }
  uint64_t tag() const { return envelope_.delivery_tag; }
  std::string_view exchange() const;
  std::string_view routingKey() const;
  std::string_view body() const;
  bool redelivered() const { return envelope_.redelivered != 0; }
  // A header of the message; nullptr when absent.
  const amqp_field_value_t* header(std::string_view name) const;
  // Integer header (any AMQP integer kind, or a decimal string); false when absent/other.
  bool headerInt(std::string_view name, int64_t* out) const;
  // String header (longstr or bytes); false when absent/other.
  bool headerString(std::string_view name, std::string_view* out) const;

  amqp_envelope_t* raw() { return &envelope_; }
  void markFilled() { filled_ = true; }
  // Frees what the envelope holds (nextDelivery does it before filling it again).
  void reset();

 private:
  amqp_envelope_t envelope_{};
  bool filled_ = false;
};

// A publisher confirm (or its negative) from the broker.
struct Confirm {
  bool ack = true;        // false: basic.nack, the broker did not store the message(s)
  uint64_t tag = 0;       // delivery tag (the publish sequence number, from 1)
  bool multiple = false;  // covers every tag up to and including `tag`
};

// The outcome of a wait.
enum class Wait { kReady, kTimeout, kClosed };

class Connection {
 public:
  // name: shown in RabbitMQ's connection list ("mqgw <node> <purpose>")
  Connection(Endpoint endpoint, std::string name);
  ~Connection();  // close()
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connect, log in, open channel 1. False with *why (no password in it).
  bool open(std::string* why);
  void close();
  bool isOpen() const { return conn_ != nullptr && open_; }
  // The reason the connection or channel was closed by the broker or the socket, if it was.
  const std::string& lastError() const { return lastError_; }

  // Declarations, each a synchronous RPC. A failure closes the channel on the broker's side:
  // the Connection is then closed (isOpen() false) and must be opened again.
  // durable topic exchange; a name starting "amq." (amq.topic) is only checked (passive)
  bool declareExchange(const std::string& name, std::string* why);
  // durable stream (x-queue-type stream; maxBytes > 0: x-max-length-bytes)
  bool declareStream(const std::string& name, int64_t maxBytes, std::string* why);
  // a classic queue; autoDelete: removed by RabbitMQ when its last consumer goes
  bool declareQueue(const std::string& name, bool durable, bool autoDelete, std::string* why);
  bool bind(const std::string& queue, const std::string& exchange, const std::string& key,
            std::string* why);
  bool unbind(const std::string& queue, const std::string& exchange, const std::string& key,
              std::string* why);

  // Publisher confirms on the channel (confirm.select); publish tags then count from 1.
  bool selectConfirms(std::string* why);
  // Queues one basic.publish in the outbound buffer (no RPC; false when the connection is
  // gone). In confirm mode *tag is the message's delivery tag for the Confirm that will answer
  // it. The frames leave at flush() or at the next call that talks to the broker.
  bool publish(const std::string& exchange, const std::string& routingKey,
               const amqp_basic_properties_t& props, std::string_view body, uint64_t* tag);
  // Writes the outbound buffer (one write for many messages). False when the socket failed
  // (the Connection is then closed).
  bool flush();
  // Waits up to timeoutMs for the next confirm; frames of other kinds are handled (a
  // basic.return is skipped, a channel/connection close closes this Connection: kClosed).
  Wait nextConfirm(int timeoutMs, Confirm* out);

  // basic.qos(prefetch) + basic.consume with manual acks. offset: for a stream, the value of
  // x-stream-offset — "first", "next", "last" or a decimal offset; empty for a classic queue.
  bool consume(const std::string& queue, uint32_t prefetch, const std::string& offset,
               std::string* consumerTag, std::string* why);
  bool cancel(const std::string& consumerTag);
  // Waits up to timeoutMs for the next delivery (heartbeats are answered meanwhile).
  Wait nextDelivery(int timeoutMs, Delivery* out);
  bool ack(uint64_t tag, bool multiple);
  bool reject(uint64_t tag, bool requeue);

 private:
  bool rpcOk(const char* what, std::string* why);
  bool ready(std::string* why);  // open, and the outbound buffer written
  void noteClosed(const std::string& why);
  // A method frame that is not the one awaited: answers closes (then kClosed), skips the rest.
  Wait handleFrame(const amqp_frame_t& frame);
  bool writeAll(const char* data, size_t len);
  void appendFrameHeader(uint8_t type, uint32_t size);

  static constexpr amqp_channel_t kChannel = 1;  // the one channel
  Endpoint endpoint_;
  std::string name_;
  amqp_connection_state_t conn_ = nullptr;
  bool open_ = false;
  uint64_t nextTag_ = 1;
  bool confirms_ = false;
  uint32_t frameMax_ = 131072;
  std::string out_;  // encoded frames not yet written
  std::string lastError_;
};

// backoffMs (the delay before reconnect attempt n) is declared in amqp_settings.h.

}  // namespace mqgw::amqp
