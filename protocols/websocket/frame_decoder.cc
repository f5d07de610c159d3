// The frame decoder: header bytes accumulate in header_ (a header may be split anywhere across
// reads), data payloads pass through as spans of the input, control payloads are collected.
#include <algorithm>
#include <cstring>

#include "websocket/ws_frame.h"

namespace mqgw::ws {
namespace {

bool isControl(uint8_t op) { return (op & 0x8) != 0; }

bool knownOpcode(uint8_t op) {
  switch (static_cast<Opcode>(op)) {
    case Opcode::Continuation:
    case Opcode::Text:
    case Opcode::Binary:
    case Opcode::Close:
    case Opcode::Ping:
    case Opcode::Pong: return true;
  }
  return false;
}

}  // namespace

void unmaskData(const DecodeEvent& ev, uint8_t* dst) {
  if (ev.masked)
    applyMask(dst, ev.data, ev.len, ev.mask, ev.maskPhase);
  else
    std::memcpy(dst, ev.data, ev.len);
}

DecodeEvent FrameDecoder::fail(uint16_t code, const char* why) {
  state_ = State::Failed;
  failCode_ = code;
  failWhy_ = why;
  DecodeEvent ev;
  ev.kind = DecodeEvent::Kind::Error;
  ev.code = code;
  ev.why = why;
  return ev;
}

size_t FrameDecoder::headerSizeNeeded() const {
  if (headerLen_ < 2) return 2;
  size_t n = 2 + ((header_[1] & 0x80) ? 4 : 0);
  uint8_t len7 = header_[1] & 0x7F;
  if (len7 == 126) n += 2;
  if (len7 == 127) n += 8;
  return n;
}

DecodeEvent FrameDecoder::next(const uint8_t*& data, size_t& len) {
  DecodeEvent ev;
  while (true) {
    switch (state_) {
      case State::Failed:
        data += len, len = 0;
        return fail(failCode_, failWhy_);
      case State::Closed:
        data += len, len = 0;
        return ev;
      case State::Header: {
        if (len == 0) return ev;
        size_t need = headerSizeNeeded();
        size_t take = std::min(need - headerLen_, len);
        std::memcpy(header_ + headerLen_, data, take);
        headerLen_ = static_cast<uint8_t>(headerLen_ + take);
        data += take, len -= take;
        if (headerLen_ < headerSizeNeeded()) continue;  // more length bytes, or need more input
        DecodeEvent done = headerComplete();
        if (done.kind != DecodeEvent::Kind::NeedMore) return done;
        continue;
      }
      case State::Payload: {
        if (len == 0) return ev;
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, len));
        ev.kind = DecodeEvent::Kind::Data;
        ev.data = data;
        ev.len = n;
        ev.masked = masked_;
        ev.maskPhase = phase_;
        std::memcpy(ev.mask, mask_, 4);
        phase_ = static_cast<uint8_t>((phase_ + n) & 3);
        remaining_ -= n;
        data += n, len -= n;
        if (remaining_ == 0) state_ = State::Header;
        return ev;
      }
      case State::Control: {
        if (len == 0) return ev;
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, len));
        if (masked_)
          applyMask(control_ + controlLen_, data, n, mask_, controlLen_);
        else
          std::memcpy(control_ + controlLen_, data, n);
        controlLen_ = static_cast<uint8_t>(controlLen_ + n);
        remaining_ -= n;
        data += n, len -= n;
        if (remaining_ == 0) return controlComplete();
        return ev;
      }
    }
  }
}

// The header is whole: check it against RFC 6455 5.2 and the policy, then expect the payload.
DecodeEvent FrameDecoder::headerComplete() {
  headerLen_ = 0;
  ++frames_;
  const bool fin = header_[0] & 0x80;
  const uint8_t op = header_[0] & 0x0F;
  masked_ = header_[1] & 0x80;
  uint64_t payload = header_[1] & 0x7F;
  size_t at = 2;
  if (payload == 126) {
    payload = (uint64_t{header_[2]} << 8) | header_[3];
    at = 4;
  } else if (payload == 127) {
    payload = 0;
    for (int i = 0; i < 8; ++i) payload = (payload << 8) | header_[2 + i];
    at = 10;
    if (payload >> 63) return fail(close_code::kProtocolError, "frame length has its top bit set");
  }
  if (masked_) std::memcpy(mask_, header_ + at, 4);
  phase_ = 0;

  if (header_[0] & 0x70) return fail(close_code::kProtocolError, "reserved bits set");
  if (!knownOpcode(op)) return fail(close_code::kProtocolError, "unknown opcode");
  if (!masked_ && policy_.requireMask)
    return fail(close_code::kProtocolError, "client frames must be masked");
  opcode_ = op;
  remaining_ = payload;
  if (isControl(op)) {
    if (!fin) return fail(close_code::kProtocolError, "fragmented control frame");
    if (payload > kMaxControlPayload)
      return fail(close_code::kProtocolError, "control frame longer than 125 bytes");
    controlLen_ = 0;
    state_ = State::Control;
    if (payload == 0) return controlComplete();
    return {};
  }
  if (op == uint8_t(Opcode::Continuation) && !inMessage_)
    return fail(close_code::kProtocolError, "continuation frame without a message");
  if (op != uint8_t(Opcode::Continuation) && inMessage_)
    return fail(close_code::kProtocolError, "new message inside a fragmented one");
  if (op == uint8_t(Opcode::Text) && policy_.binaryOnly)
    return fail(close_code::kUnsupportedData, "text frames are not supported, send binary");
  if (payload > policy_.maxFrameSize) return fail(close_code::kTooBig, "frame too large");
  inMessage_ = !fin;
  state_ = payload == 0 ? State::Header : State::Payload;
  return {};
}

DecodeEvent FrameDecoder::controlComplete() {
  state_ = State::Header;
  DecodeEvent ev;
  ev.data = control_;
  ev.len = controlLen_;
  switch (static_cast<Opcode>(opcode_)) {
    case Opcode::Ping: ev.kind = DecodeEvent::Kind::Ping; return ev;
    case Opcode::Pong: ev.kind = DecodeEvent::Kind::Pong; return ev;
    default: break;
  }
  // Close (RFC 6455 5.5.1): empty, or a 2-byte code and a UTF-8 reason.
  if (controlLen_ == 1) return fail(close_code::kProtocolError, "close frame of one byte");
  ev.kind = DecodeEvent::Kind::Close;
  ev.code = close_code::kNoStatus;
  if (controlLen_ >= 2) {
    ev.code = static_cast<uint16_t>((control_[0] << 8) | control_[1]);
    if (!validCloseCode(ev.code)) return fail(close_code::kProtocolError, "invalid close code");
    ev.data = control_ + 2;
    ev.len = controlLen_ - 2u;
    if (!validUtf8(ev.data, ev.len))
      return fail(close_code::kInvalidPayload, "close reason is not UTF-8");
  }
  state_ = State::Closed;
  return ev;
}

}  // namespace mqgw::ws
