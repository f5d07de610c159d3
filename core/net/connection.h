// One accepted TCP connection and its layer chain (transports, then one frontend). Bytes from
// the socket go up the chain; bytes a layer writes go down it and leave through one batched
// write per loop iteration. Lives on one worker; every method runs on that worker's thread.
#pragma once

#include <uv.h>

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
  size_t pendingOut() const { return out_.bytes() + inFlightBytes_; }
  void setIdleTimeout(uint64_t ms) { idleTimeoutMs_ = ms; }
  const mqgw_conn_info* info();

  // core side
  void flush();                          // the worker calls this once per iteration if dirty
  void checkIdle(uint64_t now);
  void kick(int reason);
  void deliver(mqgw_message* msg, const mqgw_delivery& d);
  void publishDone(uint64_t cookie, int status);
  void ref() { ++refs_; }
  void unref();
  bool alive() const { return !layersClosed_; }
  uint64_t id() const { return id_; }
  Worker& worker() { return *worker_; }
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
  int openLayer(uint32_t i);
  void feedFrontend(const uint8_t* data, size_t len);
  void keepTail(const uint8_t* data, size_t len);
  void finishClose();
  void updateReading();
  void writeRest(const uv_buf_t* bufs, unsigned n, size_t skip, OutChunk* chunks, size_t total);
  static void onAlloc(uv_handle_t* h, size_t hint, uv_buf_t* buf);
  static void onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onClosed(uv_handle_t* h);
  const LayerSpec& spec(uint32_t i) const { return stack_->layers[i]; }
  bool isFrontend(uint32_t i) const { return i + 1 == stack_->layers.size(); }

  uv_tcp_t tcp_{};
  Worker* worker_;
  const Stack* stack_;
  std::unique_ptr<Layer[]> layers_;
  uint64_t id_;
  uint64_t lastActivity_ = 0;
  uint64_t idleTimeoutMs_ = 0;
  uint64_t closeStarted_ = 0;
  OutQueue out_;
  size_t inFlightBytes_ = 0;
  uint8_t* tail_ = nullptr;  // unconsumed frontend bytes (a partial packet), heap, exact size
  uint32_t tailLen_ = 0;
  uint32_t refs_ = 1;
  int closeReason_ = MQGW_CLOSE_NORMAL;
  bool closeRequested_ = false;
  bool layersClosed_ = false;
  bool handleClosed_ = false;
  bool writing_ = false;
  bool readPaused_ = false;   // the plugin asked (conn_pause_read)
  bool reading_ = false;      // uv_read_start is in effect
  bool watermarkPaused_ = false;  // reads paused by the outbound high watermark
  bool listed_ = false;  // in the worker's connection list
  std::unique_ptr<struct ConnInfoStore> info_;
};

}  // namespace mqgw
