// Sans-I/O WebSocket framing (RFC 6455 section 5): a streaming decoder for frames a client sends
// and encoders for frames a server (or, in tests, a client) sends. No sockets, no allocation: the
// decoder keeps a partial header and at most one control payload (125 bytes), nothing else, and
// hands data payloads back as spans of the caller's input, still masked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mqgw::ws {

enum class Opcode : uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

// Close status codes (RFC 6455 section 7.4.1) this server sends or checks.
namespace close_code {
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kGoingAway = 1001;
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kUnsupportedData = 1003;
constexpr uint16_t kNoStatus = 1005;  // never sent: a close frame without a code
constexpr uint16_t kInvalidPayload = 1007;
constexpr uint16_t kPolicy = 1008;
constexpr uint16_t kTooBig = 1009;
constexpr uint16_t kInternalError = 1011;
}  // namespace close_code

constexpr size_t kMaxHeaderSize = 14;         // 2 + 8 (64-bit length) + 4 (mask)
constexpr size_t kMaxControlPayload = 125;
constexpr size_t kMaxControlFrame = 2 + kMaxControlPayload;  // a server's (unmasked) frame

struct DecodeEvent {
  enum class Kind : uint8_t {
    NeedMore,  // all input consumed; call again with more
    Data,      // payload bytes of a binary message: data/len point into the input, still masked
    Ping,      // a complete ping: data/len is its (unmasked) payload, valid until the next call
    Pong,      // a complete pong, likewise
    Close,     // the peer's close: code (kNoStatus when absent) and data/len the UTF-8 reason
    Error,     // the peer broke the protocol: send a close with `code`, then close
  };
  Kind kind = Kind::NeedMore;
  bool masked = false;   // Data: unmask with unmaskData()
  uint8_t maskPhase = 0; // Data: index into mask of data[0]
  uint16_t code = 0;     // Close, Error
  uint8_t mask[4] = {};  // Data
  const uint8_t* data = nullptr;
  size_t len = 0;
  const char* why = "";  // Error: a short static explanation, for logs and the close reason
};

// Copies a Data event's payload to dst (len bytes), removing the mask.
void unmaskData(const DecodeEvent& ev, uint8_t* dst);

class FrameDecoder {
 public:
  struct Policy {
    uint64_t maxFrameSize = 1u << 20;  // a data frame's payload above this: 1009
    bool requireMask = true;           // a server must close on unmasked frames (1002)
    bool binaryOnly = true;            // MQTT over WebSocket: text messages get 1003
  };
  explicit FrameDecoder(const Policy& p) : policy_(p) {}

  // Consumes input from (data, len) and returns the next event, advancing both. After Error
  // every call returns the same Error; after Close the rest of the input is ignored.
  DecodeEvent next(const uint8_t*& data, size_t& len);

  uint64_t framesDecoded() const { return frames_; }  // complete frame headers seen

 private:
  enum class State : uint8_t { Header, Payload, Control, Closed, Failed };
  size_t headerSizeNeeded() const;
  DecodeEvent headerComplete();
  DecodeEvent controlComplete();
  DecodeEvent fail(uint16_t code, const char* why);

  Policy policy_;
  uint64_t remaining_ = 0;  // payload bytes left in the current frame
  uint64_t frames_ = 0;
  const char* failWhy_ = "";
  uint16_t failCode_ = 0;
  State state_ = State::Header;
  uint8_t opcode_ = 0;      // the current frame's
  bool inMessage_ = false;  // a fragmented data message waits for continuations
  bool masked_ = false;
  uint8_t phase_ = 0;
  uint8_t headerLen_ = 0;
  uint8_t controlLen_ = 0;
  uint8_t mask_[4] = {};
  uint8_t header_[kMaxHeaderSize] = {};
  uint8_t control_[kMaxControlPayload] = {};
};

// Writes a frame header to out (kMaxHeaderSize bytes available) and returns its size. A server
// passes mask = nullptr; a client passes its 4-byte key and masks the payload with applyMask.
size_t encodeHeader(uint8_t* out, Opcode op, bool fin, uint64_t payloadLen,
                    const uint8_t* mask = nullptr);

// XORs n bytes of src with the mask starting at mask index `phase` into dst (may equal src).
void applyMask(uint8_t* dst, const uint8_t* src, size_t n, const uint8_t mask[4], size_t phase);

// A whole unmasked control frame (ping, pong) into out (kMaxControlFrame bytes); len <= 125.
size_t encodeControl(uint8_t* out, Opcode op, const uint8_t* payload, size_t len);

// A whole unmasked close frame into out (kMaxControlFrame bytes). kNoStatus gives an empty
// close; the reason is cut to fit (callers pass ASCII).
size_t encodeClose(uint8_t* out, uint16_t code, std::string_view reason);

// Codes a peer may put in a close frame (RFC 6455 7.4, IANA registry, 3000-4999).
bool validCloseCode(uint16_t code);
bool validUtf8(const uint8_t* p, size_t n);

}  // namespace mqgw::ws
