// A tiny HTTP/1.1 endpoint on the acceptor loop: GET /metrics (Prometheus text), GET /healthz
// (200 when the storage backend is ready, 503 otherwise), both one request per connection; and
// the management API, POST /api/v1/<Action> (JSON, keep-alive), answered by an api::Handler that
// may reply from any thread. Requests are parsed by http-parser, never by hand; nothing blocks
// the loop: a request must arrive whole within the idle timeout (10 s) or is closed.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace mqgw {

namespace api {
class Handler;
}

class AdminServer {
 public:
  AdminServer();
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  std::optional<std::string> start(uv_loop_t* loop, const std::string& bind, uint16_t port);
  // Closes the listener and every connection; replies arriving later are dropped.
  void stop();
  std::string boundAddress() const;

  // The management API behind /api/v1/ (not owned; must outlive the server). Without one,
  // /api/v1/ answers 503 ManagementApiDisabled. Set before start() or on the loop's thread.
  void setApiHandler(api::Handler* handler) { api_ = handler; }
  // How long a request may take to arrive whole (and a connection may idle between requests).
  void setIdleTimeoutMs(uint64_t ms) { idleTimeoutMs_ = ms; }

  struct Conn;     // one client connection (admin_server.cc)
  struct Mailbox;  // replies handed over from other threads

  // For the connection code in admin_server.cc only.
  void dispatch(Conn* c);                  // a whole request arrived
  void forget(uint64_t connId) { conns_.erase(connId); }
  uint64_t idleTimeoutMs() const { return idleTimeoutMs_; }

 private:
  static void onConnection(uv_stream_t* server, int status);
  static void onReplies(uv_async_t* async);
  void dispatchApi(Conn* c, const std::string& path);

  uv_tcp_t server_{};
  uv_async_t async_{};
  bool running_ = false;
  api::Handler* api_ = nullptr;
  uint64_t idleTimeoutMs_ = 10000;
  uint64_t nextConnId_ = 1;
  std::unordered_map<uint64_t, Conn*> conns_;  // loop thread only
  std::shared_ptr<Mailbox> mailbox_;
};

}  // namespace mqgw
