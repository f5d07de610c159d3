#include "amqp_connection.h"

#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace mqgw::amqp {
namespace {

constexpr int kFrameMax = 131072;             // RabbitMQ's default
constexpr int kMinRpcTimeoutMs = 5000;

using Clock = std::chrono::steady_clock;

amqp_bytes_t bytesOf(std::string_view s) {
  return {s.size(), const_cast<char*>(s.data())};
}

std::string_view viewOf(amqp_bytes_t b) {
  return {static_cast<const char*>(b.bytes), b.bytes ? b.len : 0};
}

timeval tvOf(int ms) {
  ms = std::max(ms, 0);
  return {ms / 1000, static_cast<suseconds_t>((ms % 1000) * 1000)};
}

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(left.count(), 0));
}

std::string describeClose(const amqp_method_t& m) {
  if (m.id == AMQP_CONNECTION_CLOSE_METHOD) {
    auto* c = static_cast<const amqp_connection_close_t*>(m.decoded);
    return "RabbitMQ closed the connection: " + std::to_string(c->reply_code) + " " +
           std::string(viewOf(c->reply_text));
  }
  if (m.id == AMQP_CHANNEL_CLOSE_METHOD) {
    auto* c = static_cast<const amqp_channel_close_t*>(m.decoded);
    return "RabbitMQ closed the channel: " + std::to_string(c->reply_code) + " " +
           std::string(viewOf(c->reply_text));
  }
  return std::string("unexpected ") + amqp_method_name(m.id);
}

std::string describeReply(const amqp_rpc_reply_t& r) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL: return "ok";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION: return amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION: return describeClose(r.reply);
    default: return "no reply";
  }
}

}  // namespace

// ---- Connection: lifecycle ----

Connection::Connection(Endpoint endpoint, std::string name)
    : endpoint_(std::move(endpoint)), name_(std::move(name)) {}

Connection::~Connection() { close(); }

bool Connection::open(std::string* why) {
  close();
  lastError_.clear();
  const std::string where = endpoint_.host + ":" + std::to_string(endpoint_.port);
  auto fail = [&](const std::string& text) {
    noteClosed(text);
    if (why) *why = text;
    return false;
  };
  conn_ = amqp_new_connection();
  amqp_socket_t* sock = conn_ ? amqp_tcp_socket_new(conn_) : nullptr;
  if (!sock) return fail("cannot create a connection to " + where + ": out of memory");
  timeval connectTv = tvOf(endpoint_.connectTimeoutMs);
  int rc = amqp_socket_open_noblock(sock, endpoint_.host.c_str(), endpoint_.port, &connectTv);
  if (rc != AMQP_STATUS_OK)
    return fail("cannot connect to RabbitMQ at " + where + ": " + amqp_error_string2(rc));
  amqp_set_handshake_timeout(conn_, &connectTv);
  timeval rpcTv = tvOf(std::max(kMinRpcTimeoutMs, 2 * endpoint_.connectTimeoutMs));
  amqp_set_rpc_timeout(conn_, &rpcTv);

  // consumer_cancel_notify: RabbitMQ tells a consumer its queue is gone (basic.cancel)
  // instead of leaving it waiting forever.
  amqp_table_entry_t capability{};
  capability.key = amqp_cstring_bytes("consumer_cancel_notify");
  capability.value.kind = AMQP_FIELD_KIND_BOOLEAN;
  capability.value.value.boolean = 1;
  amqp_table_entry_t property[2]{};
  property[0].key = amqp_cstring_bytes("connection_name");
  property[0].value.kind = AMQP_FIELD_KIND_UTF8;
  property[0].value.value.bytes = bytesOf(name_);
  property[1].key = amqp_cstring_bytes("capabilities");
  property[1].value.kind = AMQP_FIELD_KIND_TABLE;
  property[1].value.value.table = amqp_table_t{1, &capability};
  amqp_table_t properties{2, property};
  amqp_rpc_reply_t r = amqp_login_with_properties(
      conn_, endpoint_.vhost.c_str(), 0, kFrameMax, endpoint_.heartbeatS, &properties,
      AMQP_SASL_METHOD_PLAIN, endpoint_.user.c_str(), endpoint_.password.c_str());
  if (r.reply_type != AMQP_RESPONSE_NORMAL)
    return fail("cannot log in to RabbitMQ at " + where + " (vhost '" + endpoint_.vhost +
                "', user '" + endpoint_.user + "'): " + describeReply(r));
  amqp_channel_open(conn_, kChannel);
  r = amqp_get_rpc_reply(conn_);
  if (r.reply_type != AMQP_RESPONSE_NORMAL)
    return fail("cannot open a channel on " + where + ": " + describeReply(r));
  int frameMax = amqp_get_frame_max(conn_);
  frameMax_ = frameMax > 4096 ? static_cast<uint32_t>(frameMax) : kFrameMax;
  open_ = true;
  nextTag_ = 1;
  confirms_ = false;
  out_.clear();
  return true;
}

void Connection::close() {
  if (!conn_) return;
  if (open_ && flush()) amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);  // bounded by the RPC timeout
  if (conn_) amqp_destroy_connection(conn_);
  conn_ = nullptr;
  open_ = false;
  out_.clear();
}

void Connection::noteClosed(const std::string& why) {
  lastError_ = why;
  if (conn_) amqp_destroy_connection(conn_);
  conn_ = nullptr;
  open_ = false;
  out_.clear();
}

bool Connection::rpcOk(const char* what, std::string* why) {
  amqp_rpc_reply_t r = amqp_get_rpc_reply(conn_);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return true;
  std::string text = std::string(what) + ": " + describeReply(r);
  if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) {
    amqp_frame_t frame{};
    frame.frame_type = AMQP_FRAME_METHOD;
    frame.payload.method = r.reply;
    handleFrame(frame);  // answers the close
  }
  noteClosed(text);
  if (why) *why = text;
  return false;
}

bool Connection::ready(std::string* why) {
  if (flush()) return true;
  if (why) *why = lastError_.empty() ? "not connected to RabbitMQ" : lastError_;
  return false;
}

Wait Connection::handleFrame(const amqp_frame_t& frame) {
  if (frame.frame_type != AMQP_FRAME_METHOD) return Wait::kTimeout;  // stray content: skipped
  const amqp_method_t& m = frame.payload.method;
  switch (m.id) {
    case AMQP_CONNECTION_CLOSE_METHOD: {
      std::string text = describeClose(m);
      amqp_connection_close_ok_t ok{};
      amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      noteClosed(text);
      return Wait::kClosed;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      std::string text = describeClose(m);
      amqp_channel_close_ok_t ok{};
      amqp_send_method(conn_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
      noteClosed(text);
      return Wait::kClosed;
    }
    case AMQP_BASIC_CANCEL_METHOD:
      amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
      noteClosed("RabbitMQ cancelled the consumer (its queue was deleted)");
      return Wait::kClosed;
    case AMQP_BASIC_RETURN_METHOD: {  // unroutable mandatory publish: read and drop it
      amqp_message_t msg{};
      amqp_rpc_reply_t r = amqp_read_message(conn_, frame.channel, &msg, 0);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        noteClosed("connection lost: " + describeReply(r));
        return Wait::kClosed;
      }
      amqp_destroy_message(&msg);
      return Wait::kTimeout;
    }
    default: return Wait::kTimeout;  // connection.blocked/unblocked, *-ok of past calls
  }
}

// ---- declarations ----

bool Connection::declareExchange(const std::string& name, std::string* why) {
  if (!ready(why)) return false;
  // RabbitMQ's own exchanges (amq.topic) may only be declared passively: checked, not made.
  const bool passive = name.rfind("amq.", 0) == 0;
  amqp_exchange_declare(conn_, kChannel, bytesOf(name), amqp_cstring_bytes("topic"), passive, 1,
                        0, 0, amqp_empty_table);
  return rpcOk(("declare exchange '" + name + "'").c_str(), why);
}

bool Connection::declareStream(const std::string& name, int64_t maxBytes, std::string* why) {
  if (!ready(why)) return false;
  amqp_table_entry_t args[2]{};
  args[0].key = amqp_cstring_bytes("x-queue-type");
  args[0].value.kind = AMQP_FIELD_KIND_UTF8;
  args[0].value.value.bytes = amqp_cstring_bytes("stream");
  args[1].key = amqp_cstring_bytes("x-max-length-bytes");
  args[1].value.kind = AMQP_FIELD_KIND_I64;
  args[1].value.value.i64 = maxBytes;
  amqp_table_t table{maxBytes > 0 ? 2 : 1, args};
  amqp_queue_declare(conn_, kChannel, bytesOf(name), 0, 1, 0, 0, table);
  return rpcOk(("declare stream '" + name + "'").c_str(), why);
}

bool Connection::declareQueue(const std::string& name, bool durable, bool autoDelete,
                              std::string* why) {
  if (!ready(why)) return false;
  amqp_queue_declare(conn_, kChannel, bytesOf(name), 0, durable, 0, autoDelete,
                     amqp_empty_table);
  return rpcOk(("declare queue '" + name + "'").c_str(), why);
}

bool Connection::bind(const std::string& queue, const std::string& exchange,
                      const std::string& key, std::string* why) {
  if (!ready(why)) return false;
  amqp_queue_bind(conn_, kChannel, bytesOf(queue), bytesOf(exchange), bytesOf(key),
                  amqp_empty_table);
  return rpcOk(("bind '" + queue + "' to '" + exchange + "' with '" + key + "'").c_str(), why);
}

bool Connection::unbind(const std::string& queue, const std::string& exchange,
                        const std::string& key, std::string* why) {
  if (!ready(why)) return false;
  amqp_queue_unbind(conn_, kChannel, bytesOf(queue), bytesOf(exchange), bytesOf(key),
                    amqp_empty_table);
  return rpcOk(("unbind '" + queue + "' from '" + exchange + "'").c_str(), why);
}

bool Connection::selectConfirms(std::string* why) {
  if (!ready(why)) return false;
  amqp_confirm_select(conn_, kChannel);
  if (!rpcOk("confirm.select", why)) return false;
  confirms_ = true;
  nextTag_ = 1;
  return true;
}


Wait Connection::nextConfirm(int timeoutMs, Confirm* out) {
  if (!flush()) return Wait::kClosed;
  amqp_maybe_release_buffers(conn_);
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeoutMs, 0));
  for (;;) {
    timeval tv = tvOf(msLeft(deadline));
    amqp_frame_t frame{};
    int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &tv);
    if (rc == AMQP_STATUS_TIMEOUT) return Wait::kTimeout;
    if (rc != AMQP_STATUS_OK) {
      noteClosed(std::string("connection lost: ") + amqp_error_string2(rc));
      return Wait::kClosed;
    }
    if (frame.frame_type == AMQP_FRAME_METHOD) {
      const amqp_method_t& m = frame.payload.method;
      if (m.id == AMQP_BASIC_ACK_METHOD) {
        auto* a = static_cast<const amqp_basic_ack_t*>(m.decoded);
        *out = Confirm{true, a->delivery_tag, a->multiple != 0};
        return Wait::kReady;
      }
      if (m.id == AMQP_BASIC_NACK_METHOD) {
        auto* n = static_cast<const amqp_basic_nack_t*>(m.decoded);
        *out = Confirm{false, n->delivery_tag, n->multiple != 0};
        return Wait::kReady;
      }
    }
    if (handleFrame(frame) == Wait::kClosed) return Wait::kClosed;
    if (msLeft(deadline) == 0) return Wait::kTimeout;
  }
}

// ---- consuming ----

bool Connection::consume(const std::string& queue, uint32_t prefetch, const std::string& offset,
                         std::string* consumerTag, std::string* why) {
  if (!ready(why)) return false;
  amqp_basic_qos(conn_, kChannel, 0, static_cast<uint16_t>(std::min<uint32_t>(prefetch, 65535)),
                 0);
  if (!rpcOk("basic.qos", why)) return false;
  amqp_table_entry_t arg{};
  amqp_table_t args = amqp_empty_table;
  if (!offset.empty()) {
    arg.key = amqp_cstring_bytes("x-stream-offset");
    int64_t number = 0;
    auto [ptr, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), number);
    if (ec == std::errc() && ptr == offset.data() + offset.size()) {
      arg.value.kind = AMQP_FIELD_KIND_I64;
      arg.value.value.i64 = number;
    } else {
      arg.value.kind = AMQP_FIELD_KIND_UTF8;
      arg.value.value.bytes = bytesOf(offset);
    }
    args = amqp_table_t{1, &arg};
  }
  amqp_basic_consume_ok_t* ok =
      amqp_basic_consume(conn_, kChannel, bytesOf(queue), amqp_empty_bytes, 0, 0, 0, args);
  if (!rpcOk(("consume '" + queue + "'").c_str(), why)) return false;
  if (consumerTag) consumerTag->assign(viewOf(ok->consumer_tag));
  return true;
}

bool Connection::cancel(const std::string& consumerTag) {
  if (!flush()) return false;
  amqp_basic_cancel(conn_, kChannel, bytesOf(consumerTag));
  return rpcOk("basic.cancel", nullptr);
}

Wait Connection::nextDelivery(int timeoutMs, Delivery* out) {
  if (!flush()) return Wait::kClosed;
  out->reset();
  amqp_maybe_release_buffers(conn_);
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeoutMs, 0));
  for (;;) {
    timeval tv = tvOf(msLeft(deadline));
    amqp_rpc_reply_t r = amqp_consume_message(conn_, out->raw(), &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
      out->markFilled();
      return Wait::kReady;
    }
    bool library = r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION;
    if (library && r.library_error == AMQP_STATUS_TIMEOUT) return Wait::kTimeout;
    if (!library || r.library_error != AMQP_STATUS_UNEXPECTED_STATE) {
      noteClosed("connection lost: " + describeReply(r));
      return Wait::kClosed;
    }
    amqp_frame_t frame{};
    int rc = amqp_simple_wait_frame(conn_, &frame);  // the frame consume_message put back
    if (rc != AMQP_STATUS_OK) {
      noteClosed(std::string("connection lost: ") + amqp_error_string2(rc));
      return Wait::kClosed;
    }
    if (handleFrame(frame) == Wait::kClosed) return Wait::kClosed;
    if (msLeft(deadline) == 0) return Wait::kTimeout;
  }
}

bool Connection::ack(uint64_t tag, bool multiple) {
  if (!flush()) return false;
  int rc = amqp_basic_ack(conn_, kChannel, tag, multiple);
  if (rc == AMQP_STATUS_OK) return true;
  noteClosed(std::string("connection lost: ") + amqp_error_string2(rc));
  return false;
}

bool Connection::reject(uint64_t tag, bool requeue) {
  if (!flush()) return false;
  int rc = amqp_basic_reject(conn_, kChannel, tag, requeue);
  if (rc == AMQP_STATUS_OK) return true;
  noteClosed(std::string("connection lost: ") + amqp_error_string2(rc));
  return false;
}

}  // namespace mqgw::amqp
