// A tiny HTTP/1.1 endpoint on the acceptor loop for operators: GET /metrics (Prometheus text)
// and GET /healthz (200 when the storage backend is ready, 503 otherwise). One request per
// connection; requests are parsed by http-parser, never by hand.
#pragma once

#include <uv.h>

#include <optional>
#include <string>

namespace mqgw {

class AdminServer {
 public:
  std::optional<std::string> start(uv_loop_t* loop, const std::string& bind, uint16_t port);
  void stop();
  std::string boundAddress() const;

 private:
  static void onConnection(uv_stream_t* server, int status);
  uv_tcp_t server_{};
  bool running_ = false;
};

}  // namespace mqgw
