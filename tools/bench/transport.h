// Client-side transports under MQTT: plain TCP (no layers), TLS, WebSocket, or TLS + WebSocket.
// Each layer is sans-I/O: bytes from the socket go up through the layers, bytes from MQTT go
// down, and whatever a layer has to send (handshakes, pongs) comes out as bytes for the socket.
// The connection owns the socket and calls the stack from its read callback and its flush.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mqgw::bench {

enum class TransportKind : uint8_t { Tcp, Tls, Ws, Wss };

const char* transportName(TransportKind k);

// One layer of the stack. `down` collects bytes for the layer below (the socket, eventually).
class ClientLayer {
 public:
  virtual ~ClientLayer() = default;
  // Starts the layer's handshake once the layer below is open.
  virtual bool start(std::vector<uint8_t>& down) = 0;
  // Bytes from below: plaintext / payload for the layer above goes to `up`.
  virtual bool fromBelow(const uint8_t* data, size_t len, std::vector<uint8_t>& up,
                         std::vector<uint8_t>& down) = 0;
  // Bytes from above (only once open()).
  virtual bool fromAbove(const uint8_t* data, size_t len, std::vector<uint8_t>& down) = 0;
  virtual bool open() const = 0;
  const char* error = "transport error";
};

// The layers of one connection, bottom (next to TCP) first.
class TransportStack {
 public:
  explicit TransportStack(std::vector<std::unique_ptr<ClientLayer>> layers);
  // Starts the bottom layer's handshake: bytes for the socket go to `wire`.
  bool start(std::vector<uint8_t>& wire);
  // Bytes from the socket: MQTT bytes go to `app` (appended), bytes for the socket to `wire`.
  bool receive(const uint8_t* data, size_t len, std::vector<uint8_t>& app,
               std::vector<uint8_t>& wire);
  // MQTT bytes to send (the stack is open): wire bytes are appended to `wire`.
  bool send(const uint8_t* data, size_t len, std::vector<uint8_t>& wire);
  // Every layer finished its handshake: MQTT may start.
  bool open() const { return started_ == layers_.size() && layers_.back()->open(); }
  const char* error() const { return error_; }

 private:
  // Sends bytes produced by layer `from` through the layers below it.
  bool sendBelow(size_t from, std::vector<uint8_t>& bytes, std::vector<uint8_t>& wire);
  bool startNext(std::vector<uint8_t>& wire);
  bool failWith(const ClientLayer& l);

  std::vector<std::unique_ptr<ClientLayer>> layers_;
  std::vector<uint8_t> up_, next_, down_, carry_;  // scratch between layers
  size_t started_ = 0;
  const char* error_ = "";
};

}  // namespace mqgw::bench
