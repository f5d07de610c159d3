// One accepted TCP connection and its layer chain (transports, then one frontend). Bytes from
// the socket go up the chain; bytes a layer writes go down it and leave through one batched
// write per loop iteration. Lives on one worker; every method runs on that worker's thread.
//
// Closing: close() stops reading and flushes what the layers queued; then the layers close and
// the connection lingers: FIN sent (shutdown SHUT_WR), input read and discarded until the peer's
// EOF, a deadline or a byte bound, and only then the socket closes. Closing with unread input
// would make the kernel answer with RST, which can destroy our last packet before the peer
// reads it. A peer that reset or sent EOF, a stuck flush and a stopping worker skip the linger.
#pragma once

#include <uv.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "mqgw/plugin_abi.h"
#include "net/out_chunks.h"
#include "net/stack.h"

namespace mqgw {
class Connection;
class Worker;
class Session;
}  // namespace mqgw

// The handle a layer sees: which connection, which layer.
struct mqgw_conn {
  mqgw::Connection* conn;
  uint32_t layer;
};

namespace mqgw {

class Connection {
 public:
  // Takes ownership of an accepted socket; returns nullptr (socket closed) on failure.
  static Connection* open(Worker& w, const Stack& stack, uv_os_sock_t fd, uint64_t id);

  // host API, called by layer `layer`
  int write(uint32_t layer, const uint8_t* data, size_t len);
  int pushUp(uint32_t layer, const uint8_t* data, size_t len);
  int openUp(uint32_t layer);
  void close(int reason);
  void pauseRead();
  void resumeRead();
  void setStoragePaused(bool paused) {
    storagePaused_ = paused;
    updatePolling();
  }
  size_t pendingOut() const { return out_.bytes(); }
  void setIdleTimeout(uint64_t ms) {
    if (layersClosed_) return;  // the field counts discarded bytes while lingering
    idleTimeoutMs_ = static_cast<uint32_t>(std::min<uint64_t>(ms, UINT32_MAX));
  }
  const mqgw_conn_info* info();
  void setPeerSubject(const char* subject);  // a transport verified a client certificate

  // core side
  void flush();                          // the worker calls this once per iteration if dirty
  void checkIdle(uint64_t now);
  void kick(int reason);
  void deliver(mqgw_message* msg, const mqgw_delivery& d);
  void publishDone(uint64_t cookie, int status);
  void resume(const mqgw_parked* owed, uint32_t n, const uint16_t* qos2Ids, uint32_t nIds);
  void ref() { ++refs_; }
  void unref();
  bool alive() const { return !layersClosed_; }
  uint64_t id() const { return id_; }
  int closeReason() const { return closeReason_; }  // MQGW_CLOSE_*, once closing began
  Worker& worker() const { return *static_cast<Worker*>(poll_.loop->data); }
  Session* session = nullptr;  // attached by host->session_open

  // intrusive list links owned by the worker
  Connection* prev = nullptr;
  Connection* next = nullptr;
  bool dirty = false;

 private:
  struct Layer {
    void* state = nullptr;
    mqgw_conn handle{};
    bool open = false;
  };
  Connection(Worker& w, const Stack& stack, uint64_t id);
  ~Connection();
  static Connection* allocate(Worker& w, const Stack& stack, uint64_t id);
  void destroy();
  int openLayer(uint32_t i);
  void feedFrontend(const uint8_t* data, size_t len);
  void keepTail(const uint8_t* data, size_t len);
  void finishClose();
  void closeLayers();
  bool lingering() const { return layersClosed_ && !handleClosed_; }
  void updatePolling();
  // connection_io.cc: the socket itself (uv_poll + read/writev: no per-connection buffers)
  static void onPoll(uv_poll_t* h, int status, int events);
  void readSome();
  void writeSome();
  void failIo();
  void startLinger();
  void drainLinger();
  void closeSocket();
  static void onClosed(uv_handle_t* h);
  // The layers are allocated with the Connection, right after it (one malloc per connection).
  Layer& layerAt(uint32_t i) { return reinterpret_cast<Layer*>(this + 1)[i]; }
  const LayerSpec& spec(uint32_t i) const { return stack_->layers[i]; }
  bool isFrontend(uint32_t i) const { return i + 1 == stack_->layers.size(); }

  uv_poll_t poll_{};  // readiness only: reads land in the worker's shared buffer
  const Stack* stack_;
  uint64_t id_;
  uint64_t lastActivity_ = 0;  // last read; once closing, when the close (then linger) began
  OutQueue out_;
  uint8_t* tail_ = nullptr;  // unconsumed frontend bytes (a partial packet), heap, exact size
  uint32_t tailLen_ = 0;
  union {
    uint32_t idleTimeoutMs_ = 0;  // while open
    uint32_t lingerDiscarded_;    // while lingering: input bytes read and dropped
  };
  uint32_t refs_ = 1;
  int fd_;
  uint8_t closeReason_ = MQGW_CLOSE_NORMAL;
  bool closeRequested_ : 1 = false;
  bool layersClosed_ : 1 = false;
  bool handleClosed_ : 1 = false;
  bool readPaused_ : 1 = false;       // the plugin asked (conn_pause_read)
  bool watermarkPaused_ : 1 = false;  // reads paused by the outbound high watermark
  bool listed_ : 1 = false;           // in the worker's connection list
  bool blocked_ : 1 = false;          // the socket said EAGAIN: wait for writable
  bool storagePaused_ : 1 = false;    // too many publishes wait for an unavailable backend
  bool noLinger_ : 1 = false;         // close the socket as soon as flushed (see header)
  uint8_t polling_ = 0;               // events currently requested from uv_poll
  std::unique_ptr<struct ConnInfoStore> info_;
};

}  // namespace mqgw
