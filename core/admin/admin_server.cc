#include "admin/admin_server.h"

#include <http_parser.h>

#include <cstring>

#include "gateway/gateway.h"
#include "metrics/metrics.h"

namespace mqgw {
namespace {

constexpr size_t kMaxRequest = 8192;

struct AdminConn {
  uv_tcp_t tcp;
  http_parser parser;
  std::string url;
  std::string method;
  bool complete = false;
  size_t received = 0;
  char buf[2048];
};

void closeConn(AdminConn* c) {
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
           [](uv_handle_t* h) { delete static_cast<AdminConn*>(h->data); });
}

void respond(AdminConn* c, int code, const char* reason, const std::string& type,
             const std::string& body) {
  auto* text = new std::string("HTTP/1.1 " + std::to_string(code) + " " + reason +
                               "\r\nContent-Type: " + type + "\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                               body);
  auto* req = new uv_write_t;
  req->data = text;
  uv_buf_t b = uv_buf_init(text->data(), static_cast<unsigned>(text->size()));
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  uv_write(req, reinterpret_cast<uv_stream_t*>(&c->tcp), &b, 1, [](uv_write_t* r, int) {
    auto* conn = static_cast<AdminConn*>(r->handle->data);
    delete static_cast<std::string*>(r->data);
    delete r;
    closeConn(conn);
  });
}

void answer(AdminConn* c) {
  if (c->method != "GET") return respond(c, 405, "Method Not Allowed", "text/plain", "GET only\n");
  std::string path = c->url.substr(0, c->url.find('?'));
  if (path == "/metrics")
    return respond(c, 200, "OK", "text/plain; version=0.0.4", metrics::prometheusText());
  if (path == "/healthz") {
    int h = Gateway::get().storage().health();
    if (h == 2) return respond(c, 503, "Service Unavailable", "text/plain", "storage unavailable\n");
    return respond(c, 200, "OK", "text/plain", h == 1 ? "degraded\n" : "ok\n");
  }
  respond(c, 404, "Not Found", "text/plain", "try /metrics or /healthz\n");
}

const http_parser_settings kSettings = [] {
  http_parser_settings s{};
  s.on_url = [](http_parser* p, const char* at, size_t len) {
    static_cast<AdminConn*>(p->data)->url.append(at, len);
    return 0;
  };
  s.on_message_complete = [](http_parser* p) {
    auto* c = static_cast<AdminConn*>(p->data);
    c->method = http_method_str(static_cast<http_method>(p->method));
    c->complete = true;
    return 0;
  };
  return s;
}();

void onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* c = static_cast<AdminConn*>(s->data);
  if (n < 0) return closeConn(c);
  c->received += static_cast<size_t>(n);
  size_t used = http_parser_execute(&c->parser, &kSettings, buf->base, static_cast<size_t>(n));
  if (c->complete) return answer(c);
  if (used != static_cast<size_t>(n) || c->received > kMaxRequest)
    respond(c, 400, "Bad Request", "text/plain", "bad request\n");
}

}  // namespace

std::optional<std::string> AdminServer::start(uv_loop_t* loop, const std::string& bind,
                                              uint16_t port) {
  sockaddr_storage ss{};
  int rc = bind.find(':') != std::string::npos
               ? uv_ip6_addr(bind.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
               : uv_ip4_addr(bind.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
  if (rc != 0) return std::string(uv_strerror(rc));
  uv_tcp_init(loop, &server_);
  server_.data = this;
  running_ = true;
  if ((rc = uv_tcp_bind(&server_, reinterpret_cast<sockaddr*>(&ss), 0)) != 0 ||
      (rc = uv_listen(reinterpret_cast<uv_stream_t*>(&server_), 64, onConnection)) != 0)
    return std::string(uv_strerror(rc));
  return std::nullopt;
}

void AdminServer::onConnection(uv_stream_t* server, int status) {
  if (status < 0) return;
  auto* c = new AdminConn;
  uv_tcp_init(server->loop, &c->tcp);
  c->tcp.data = c;
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) return closeConn(c);
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* conn = static_cast<AdminConn*>(h->data);
        *b = uv_buf_init(conn->buf, sizeof conn->buf);
      },
      onRead);
}

std::string AdminServer::boundAddress() const {
  sockaddr_storage ss{};
  int len = sizeof ss;
  uv_tcp_getsockname(&server_, reinterpret_cast<sockaddr*>(&ss), &len);
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    uv_ip6_name(a, host, sizeof host);
    return std::string("[") + host + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  uv_ip4_name(a, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
}

void AdminServer::stop() {
  if (!running_) return;
  running_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&server_), nullptr);
}

}  // namespace mqgw
