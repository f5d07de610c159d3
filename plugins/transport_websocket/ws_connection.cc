#include "ws_connection.h"

#include <algorithm>
#include <cstring>

#include "host.h"
#include "metrics.h"

namespace mqgw::wsplugin {
namespace {

// Unmasked payload goes up in pieces of this size; one per thread, never held across calls.
constexpr size_t kScratchSize = 16 * 1024;
thread_local uint8_t tScratch[kScratchSize];

// Writes up to this size go out as one header+payload copy; larger ones as two writes.
constexpr size_t kCoalesceBelow = 2048;

ws::FrameDecoder::Policy policyFor(const Settings& s) {
  ws::FrameDecoder::Policy p;
  p.maxFrameSize = s.maxFrameSize;
  p.requireMask = true;
  p.binaryOnly = true;
  return p;
}

const char* peerOf(mqgw_conn* conn) {
  const mqgw_conn_info* info = host().conn_info(conn);
  return info && info->peer ? info->peer : "?";
}

}  // namespace

WsConnection::WsConnection(const Settings& s, mqgw_conn* conn)
    : settings_(s),
      conn_(conn),
      handshake_(std::make_unique<ws::HandshakeParser>(s.handshake)),
      decoder_(policyFor(s)) {}

WsConnection::~WsConnection() { stopTimer(); }

int WsConnection::open() {
  timer_ = host().timer_start(settings_.handshakeTimeoutMs, 0, &onHandshakeTimeout, this);
  return timer_ ? MQGW_OK : MQGW_E_NOMEM;
}

void WsConnection::stopTimer() {
  if (timer_) host().timer_stop(timer_);
  timer_ = nullptr;
}

void WsConnection::onHandshakeTimeout(void* arg) {
  auto* self = static_cast<WsConnection*>(arg);
  self->enter();
  self->stopTimer();  // one-shot; stopping frees it
  host().log(MQGW_LOG_DEBUG, kPluginName, "%s: no complete Upgrade request in time",
             peerOf(self->conn_));
  self->closing_ = true;
  host().conn_close(self->conn_, MQGW_CLOSE_TIMEOUT);  // may run on_close right away
  if (self->leave()) delete self;
}

int WsConnection::onRead(const uint8_t* data, size_t len) {
  if (gone()) return MQGW_OK;  // input after we decided to close is dropped
  if (!upgraded_) return handshake(data, len);
  return frames(data, len);
}

int WsConnection::handshake(const uint8_t* data, size_t len) {
  ws::HandshakeOutcome out = handshake_->feed(data, len);
  if (out.state == ws::HandshakeOutcome::State::NeedMore) return MQGW_OK;
  host().conn_write(conn_, out.response.data(), out.response.size());
  if (out.state == ws::HandshakeOutcome::State::Refused) {
    host().log(MQGW_LOG_DEBUG, kPluginName, "%s: upgrade refused with %d: %s", peerOf(conn_),
               out.status, out.reason.c_str());
    closing_ = true;
    host().conn_close(conn_, MQGW_CLOSE_PROTOCOL);
    return MQGW_OK;
  }
  stopTimer();
  handshake_.reset();
  upgraded_ = true;
  count(gMetrics.handshakes);
  if (int rc = host().conn_open_up(conn_); rc != MQGW_OK) return rc;
  if (out.consumed < len && !gone()) return frames(data + out.consumed, len - out.consumed);
  return MQGW_OK;
}

int WsConnection::frames(const uint8_t* data, size_t len) {
  const uint64_t framesBefore = decoder_.framesDecoded();
  int rc = MQGW_OK;
  while (rc == MQGW_OK && !gone()) {
    ws::DecodeEvent ev = decoder_.next(data, len);
    using Kind = ws::DecodeEvent::Kind;
    if (ev.kind == Kind::NeedMore) break;
    switch (ev.kind) {
      case Kind::Data: rc = passUp(ev); break;
      case Kind::Ping: sendControl(ws::Opcode::Pong, ev.data, ev.len); break;
      case Kind::Pong: break;  // we send no pings; an unsolicited pong is allowed and ignored
      case Kind::Close:
        // Echo the peer's code (RFC 6455 5.5.1), then let the core flush and close.
        sendClose(ev.code, {});  // kNoStatus: an empty close, as the peer sent
        closing_ = true;
        host().conn_close(conn_, MQGW_CLOSE_NORMAL);
        break;
      case Kind::Error: rc = failProtocol(ev.code, ev.why); break;
      case Kind::NeedMore: break;
    }
  }
  count(gMetrics.framesIn, static_cast<int64_t>(decoder_.framesDecoded() - framesBefore));
  return rc;
}

// Unmasks through the scratch buffer: the input is the reader's, and const.
int WsConnection::passUp(const ws::DecodeEvent& ev) {
  count(gMetrics.bytesIn, static_cast<int64_t>(ev.len));
  ws::DecodeEvent piece = ev;
  size_t done = 0;
  while (done < ev.len) {
    piece.data = ev.data + done;
    piece.len = std::min(kScratchSize, ev.len - done);
    piece.maskPhase = static_cast<uint8_t>((ev.maskPhase + done) & 3);
    ws::unmaskData(piece, tScratch);
    int rc = host().conn_push_up(conn_, tScratch, piece.len);
    if (rc != MQGW_OK || gone()) return rc == MQGW_E_CLOSED ? MQGW_OK : rc;
    done += piece.len;
  }
  return MQGW_OK;
}

int WsConnection::failProtocol(uint16_t code, const char* why) {
  host().log(MQGW_LOG_DEBUG, kPluginName, "%s: closing with %u: %s", peerOf(conn_),
             static_cast<unsigned>(code), why);
  sendClose(code, why);
  closing_ = true;
  host().conn_close(conn_, MQGW_CLOSE_PROTOCOL);
  return MQGW_OK;
}

void WsConnection::sendControl(ws::Opcode op, const uint8_t* payload, size_t len) {
  if (closeSent_) return;
  uint8_t frame[ws::kMaxControlFrame];
  size_t n = ws::encodeControl(frame, op, payload, len);
  count(gMetrics.framesOut);
  host().conn_write(conn_, frame, n);
}

void WsConnection::sendClose(uint16_t code, std::string_view reason) {
  if (closeSent_ || !upgraded_) return;
  closeSent_ = true;
  uint8_t frame[ws::kMaxControlFrame];
  size_t n = ws::encodeClose(frame, code, reason);
  count(gMetrics.framesOut);
  count(gMetrics.closesSent);
  host().conn_write(conn_, frame, n);
}

// MQTT bytes from above become one binary frame per write: MQTT does not care where frames end.
int WsConnection::onWrite(const uint8_t* data, size_t len) {
  if (!upgraded_ || closeSent_ || closed_) return MQGW_E_CLOSED;
  if (len == 0) return MQGW_OK;
  count(gMetrics.framesOut);
  count(gMetrics.bytesOut, static_cast<int64_t>(len));
  uint8_t buf[ws::kMaxHeaderSize + kCoalesceBelow];
  size_t h = ws::encodeHeader(buf, ws::Opcode::Binary, true, len);
  if (len <= kCoalesceBelow) {
    std::memcpy(buf + h, data, len);
    return host().conn_write(conn_, buf, h + len);
  }
  if (int rc = host().conn_write(conn_, buf, h); rc != MQGW_OK) return rc;
  return host().conn_write(conn_, data, len);
}

void WsConnection::onShutdown(int reason) {
  closing_ = true;
  sendClose(reason == MQGW_CLOSE_SHUTDOWN ? ws::close_code::kGoingAway : ws::close_code::kNormal,
            {});
}

void WsConnection::onClose() {
  if (!upgraded_) count(gMetrics.handshakeFailures);
  stopTimer();
  closed_ = true;
}

}  // namespace mqgw::wsplugin
