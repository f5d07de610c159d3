// One connection's websocket layer: the Upgrade handshake, then frames both ways. Idle state
// is the frame decoder (~170 bytes) and a few flags; the handshake parser lives on the heap
// only until the 101 is sent.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "mqgw/plugin_abi.h"
#include "settings.h"
#include "websocket/ws_frame.h"
#include "websocket/ws_handshake.h"

namespace mqgw::wsplugin {

class WsConnection {
 public:
  WsConnection(const Settings& s, mqgw_conn* conn);
  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  int open();
  int onRead(const uint8_t* data, size_t len);
  int onWrite(const uint8_t* data, size_t len);
  void onShutdown(int reason);
  void onClose();

  // The core may close (and call on_close) while a callback of ours runs further up the stack;
  // the state is freed when the outermost callback returns.
  void enter() { ++depth_; }
  bool leave() { return --depth_ == 0 && closed_; }  // true: delete now
  bool closed() const { return closed_; }

 private:
  int handshake(const uint8_t* data, size_t len);
  int frames(const uint8_t* data, size_t len);
  int passUp(const ws::DecodeEvent& ev);
  void sendControl(ws::Opcode op, const uint8_t* payload, size_t len);
  void sendClose(uint16_t code, std::string_view reason);
  int failProtocol(uint16_t code, const char* why);
  void stopTimer();
  static void onHandshakeTimeout(void* arg);
  bool gone() const { return closed_ || closing_; }

  const Settings& settings_;
  mqgw_conn* conn_;
  std::unique_ptr<ws::HandshakeParser> handshake_;  // until the 101
  mqgw_timer* timer_ = nullptr;                     // the handshake deadline
  ws::FrameDecoder decoder_;
  uint32_t depth_ = 0;
  bool upgraded_ = false;   // 101 sent, the layer above is open
  bool closeSent_ = false;  // our close frame is out: no more frames after it
  bool closing_ = false;    // we asked the core to close
  bool closed_ = false;     // on_close came: free when the last callback returns
};

}  // namespace mqgw::wsplugin
