// The WebSocket layer of the load generator (RFC 6455 client side): the Upgrade request with
// Sec-WebSocket-Protocol: mqtt, a check of the 101 and its Sec-WebSocket-Accept, then every
// write from MQTT as one masked binary frame. Incoming frames are decoded with the gateway's
// codec (protocols/websocket) with masks not required, as a client must.
#pragma once

#include <string>

#include "transport.h"
#include "websocket/ws_frame.h"

namespace mqgw::bench {

class WsClientLayer final : public ClientLayer {
 public:
  // host: the Host header; seed: varies the handshake key and the frame masks per connection.
  WsClientLayer(std::string host, std::string path, uint64_t seed);

  bool start(std::vector<uint8_t>& down) override;
  bool fromBelow(const uint8_t* data, size_t len, std::vector<uint8_t>& up,
                 std::vector<uint8_t>& down) override;
  bool fromAbove(const uint8_t* data, size_t len, std::vector<uint8_t>& down) override;
  bool open() const override { return open_; }

 private:
  // Returns the bytes consumed by the response head, 0 while it is incomplete, -1 on refusal.
  ptrdiff_t readResponse(const uint8_t* data, size_t len);
  bool readFrames(const uint8_t* data, size_t len, std::vector<uint8_t>& up,
                  std::vector<uint8_t>& down);
  void appendFrame(ws::Opcode op, const uint8_t* data, size_t len, std::vector<uint8_t>& down);
  uint32_t nextRandom();

  std::string host_, path_, key_;
  std::string response_;  // the 101 head, until complete
  ws::FrameDecoder decoder_;
  uint64_t rng_;
  bool open_ = false;
};

}  // namespace mqgw::bench
