#include "admin/admin_server.h"

#include <http_parser.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <vector>

#include "api/http_types.h"
#include "gateway/gateway.h"
#include "metrics/metrics.h"

namespace mqgw {

// A reply from the management API, addressed to one request of one connection.
struct AdminServer::Mailbox {
  struct Letter {
    uint64_t connId;
    uint64_t requestSeq;
    api::Response response;
  };
  std::mutex mutex;
  std::deque<Letter> letters;
  uv_async_t* async = nullptr;
  bool open = false;  // false once the async handle is closing: later replies are dropped

  void post(Letter letter) {
    std::lock_guard lock(mutex);
    if (!open) return;
    letters.push_back(std::move(letter));
    uv_async_send(async);
  }
};

struct AdminServer::Conn {
  AdminServer* server = nullptr;
  uint64_t id = 0;
  uv_tcp_t tcp{};
  uv_timer_t timer{};
  uv_shutdown_t shutdown{};
  int openHandles = 2;
  http_parser parser{};
  std::string url, method, body, field, value;
  std::map<std::string, std::string> headers;
  size_t headBytes = 0;
  bool complete = false, tooLarge = false, tooLong = false;
  bool writing = false, closing = false, lingering = false, keepAlive = false;
  uint64_t requestSeq = 0;  // the request a reply must name to be written
  bool awaiting = false;    // a reply is due for requestSeq
  std::string leftover;     // bytes after the current request (pipelined)
  char buf[4096];
};

namespace {

using Conn = AdminServer::Conn;

constexpr size_t kMaxHead = 16 * 1024;    // request line and headers
constexpr size_t kMaxBody = 1024 * 1024;  // 1 MiB
constexpr uint64_t kReplyTimeoutMs = 60000;
constexpr uint64_t kLingerMs = 2000;
constexpr std::string_view kApiPrefix = "/api/v1/";

uv_stream_t* stream(Conn* c) { return reinterpret_cast<uv_stream_t*>(&c->tcp); }

void onConnClosed(uv_handle_t* h) {
  auto* c = static_cast<Conn*>(h->data);
  if (--c->openHandles == 0) delete c;
}

void closeConn(Conn* c) {
  if (c->closing) return;
  c->closing = true;
  if (c->server) c->server->forget(c->id);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), onConnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->timer), onConnClosed);
}

void armTimer(Conn* c, uint64_t ms) {
  uv_timer_start(&c->timer, [](uv_timer_t* t) { closeConn(static_cast<Conn*>(t->data)); }, ms, 0);
}

void flushHeader(Conn* c) {
  if (c->field.empty()) return;
  std::transform(c->field.begin(), c->field.end(), c->field.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  c->headers[c->field] = c->value;
  c->field.clear();
  c->value.clear();
}

int countHead(Conn* c, size_t len) {
  c->headBytes += len;
  c->tooLong = c->headBytes > kMaxHead;
  return c->tooLong ? -1 : 0;
}

void writeContinue(Conn* c) {
  static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
  uv_buf_t b = uv_buf_init(const_cast<char*>(kContinue), sizeof kContinue - 1);
  auto* req = new uv_write_t;
  if (uv_write(req, stream(c), &b, 1, [](uv_write_t* r, int) { delete r; }) != 0) delete req;
}

const http_parser_settings kSettings = [] {
  http_parser_settings s{};
  s.on_url = [](http_parser* p, const char* at, size_t len) {
    auto* c = static_cast<Conn*>(p->data);
    c->url.append(at, len);
    return countHead(c, len);
  };
  s.on_header_field = [](http_parser* p, const char* at, size_t len) {
    auto* c = static_cast<Conn*>(p->data);
    if (!c->value.empty()) flushHeader(c);  // a new header begins
    c->field.append(at, len);
    return countHead(c, len);
  };
  s.on_header_value = [](http_parser* p, const char* at, size_t len) {
    auto* c = static_cast<Conn*>(p->data);
    c->value.append(at, len);
    return countHead(c, len);
  };
  s.on_headers_complete = [](http_parser* p) {
    auto* c = static_cast<Conn*>(p->data);
    flushHeader(c);
    c->tooLarge = p->content_length != ULLONG_MAX && p->content_length > kMaxBody;
    if (c->tooLarge) return -1;
    auto expect = c->headers.find("expect");  // curl waits for this before a large body
    if (expect != c->headers.end() && expect->second == "100-continue") writeContinue(c);
    return 0;
  };
  s.on_body = [](http_parser* p, const char* at, size_t len) {
    auto* c = static_cast<Conn*>(p->data);
    c->tooLarge = c->body.size() + len > kMaxBody;
    if (c->tooLarge) return -1;
    c->body.append(at, len);
    return 0;
  };
  s.on_message_complete = [](http_parser* p) {
    auto* c = static_cast<Conn*>(p->data);
    c->method = http_method_str(static_cast<http_method>(p->method));
    c->keepAlive = http_should_keep_alive(p) != 0;
    c->complete = true;
    http_parser_pause(p, 1);  // one request at a time: the rest waits in `leftover`
    return 0;
  };
  return s;
}();

void resetRequest(Conn* c) {
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  c->url.clear();
  c->method.clear();
  c->body.clear();
  c->field.clear();
  c->value.clear();
  c->headers.clear();
  c->headBytes = 0;
  c->complete = false;
}

const char* reasonPhrase(int code) {
  switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void feed(Conn* c, const char* data, size_t len);

// After the last response: stop sending, drain what the client still sends (so the kernel does
// not reset the connection before the client reads the answer), then close.
void lingerAndClose(Conn* c) {
  c->lingering = true;
  armTimer(c, kLingerMs);
  if (uv_shutdown(&c->shutdown, stream(c), [](uv_shutdown_t*, int) {}) != 0) closeConn(c);
}

// Ready for the connection's next request, which may already be buffered.
void nextRequest(Conn* c) {
  resetRequest(c);
  armTimer(c, c->server ? c->server->idleTimeoutMs() : 0);
  std::string pending = std::move(c->leftover);
  c->leftover.clear();
  if (!pending.empty()) feed(c, pending.data(), pending.size());
}

void respond(Conn* c, int code, const std::string& type, const std::string& body,
             bool keepAlive) {
  c->awaiting = false;
  c->writing = true;
  c->keepAlive = keepAlive;
  auto* text = new std::string("HTTP/1.1 " + std::to_string(code) + " " + reasonPhrase(code) +
                               "\r\nContent-Type: " + type + "\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\nConnection: " +
                               (keepAlive ? "keep-alive" : "close") + "\r\n\r\n" + body);
  auto* req = new uv_write_t;
  req->data = text;
  uv_buf_t b = uv_buf_init(text->data(), static_cast<unsigned>(text->size()));
  int rc = uv_write(req, stream(c), &b, 1, [](uv_write_t* r, int status) {
    auto* conn = static_cast<Conn*>(r->handle->data);
    delete static_cast<std::string*>(r->data);
    delete r;
    conn->writing = false;
    if (conn->closing) return;
    if (status < 0) return closeConn(conn);
    if (conn->keepAlive) return nextRequest(conn);
    lingerAndClose(conn);
  });
  if (rc != 0) {
    delete text;
    delete req;
    c->writing = false;
    closeConn(c);
  }
}

void respondJsonError(Conn* c, int code, const char* apiCode, const char* message, bool keep) {
  respond(c, code, "application/json", api::errorResponse(code, apiCode, message).body, keep);
}

void feed(Conn* c, const char* data, size_t len) {
  size_t used = http_parser_execute(&c->parser, &kSettings, data, len);
  if (c->tooLarge)
    return respondJsonError(c, 413, "PayloadTooLarge", "the body is over 1 MiB", false);
  if (c->complete) {
    c->leftover.append(data + used, len - used);
    if (c->server) c->server->dispatch(c);
    return;
  }
  if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || c->tooLong)
    respond(c, 400, "text/plain", "bad request\n", false);
}

// Reading never stops, so a client that goes away is noticed at once (its pending reply is
// then dropped); bytes arriving while a request is answered wait in `leftover`.
void onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* c = static_cast<Conn*>(s->data);
  if (n < 0) return closeConn(c);
  // Draining after the last response (whose body we then drop), or nothing this time.
  if (c->lingering || n == 0 || (c->writing && !c->keepAlive)) return;
  if (c->complete || c->writing) {
    c->leftover.append(buf->base, static_cast<size_t>(n));
    if (c->leftover.size() > kMaxHead + kMaxBody) closeConn(c);
    return;
  }
  feed(c, buf->base, static_cast<size_t>(n));
}

}  // namespace

AdminServer::AdminServer() : mailbox_(std::make_shared<Mailbox>()) {}

AdminServer::~AdminServer() {
  std::lock_guard lock(mailbox_->mutex);
  mailbox_->open = false;  // replies still in flight on other threads go nowhere
}

std::optional<std::string> AdminServer::start(uv_loop_t* loop, const std::string& bind,
                                              uint16_t port) {
  sockaddr_storage ss{};
  int rc = bind.find(':') != std::string::npos
               ? uv_ip6_addr(bind.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
               : uv_ip4_addr(bind.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
  if (rc != 0) return std::string(uv_strerror(rc));
  uv_tcp_init(loop, &server_);
  server_.data = this;
  uv_async_init(loop, &async_, onReplies);
  async_.data = this;
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->async = &async_;
    mailbox_->open = true;
  }
  running_ = true;
  if ((rc = uv_tcp_bind(&server_, reinterpret_cast<sockaddr*>(&ss), 0)) != 0 ||
      (rc = uv_listen(reinterpret_cast<uv_stream_t*>(&server_), 64, onConnection)) != 0)
    return std::string(uv_strerror(rc));
  return std::nullopt;
}

void AdminServer::onConnection(uv_stream_t* listener, int status) {
  if (status < 0) return;
  auto* self = static_cast<AdminServer*>(listener->data);
  auto* c = new Conn;
  c->server = self;
  c->id = self->nextConnId_++;
  self->conns_[c->id] = c;
  uv_tcp_init(listener->loop, &c->tcp);
  uv_timer_init(listener->loop, &c->timer);
  c->tcp.data = c;
  c->timer.data = c;
  resetRequest(c);
  if (uv_accept(listener, stream(c)) != 0) return closeConn(c);
  armTimer(c, self->idleTimeoutMs_);
  uv_read_start(
      stream(c),
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* conn = static_cast<Conn*>(h->data);
        *b = uv_buf_init(conn->buf, sizeof conn->buf);
      },
      onRead);
}

void AdminServer::dispatch(Conn* c) {
  std::string path = c->url.substr(0, c->url.find('?'));
  if (path.starts_with(kApiPrefix)) return dispatchApi(c, path);
  // The operators' endpoints, unchanged: GET only, one request per connection.
  if (c->method != "GET") return respond(c, 405, "text/plain", "GET only\n", false);
  if (path == "/metrics")
    return respond(c, 200, "text/plain; version=0.0.4", metrics::prometheusText(), false);
  if (path == "/healthz") {
    int h = Gateway::get().storage().health();
    if (h == 2) return respond(c, 503, "text/plain", "storage unavailable\n", false);
    return respond(c, 200, "text/plain", h == 1 ? "degraded\n" : "ok\n", false);
  }
  respond(c, 404, "text/plain", "try /metrics or /healthz\n", false);
}

void AdminServer::dispatchApi(Conn* c, const std::string& path) {
  if (c->method != "POST")
    return respondJsonError(c, 405, "MethodNotAllowed", "the management API takes POST only",
                            c->keepAlive);
  if (!api_)
    return respondJsonError(c, 503, "ManagementApiDisabled",
                            "the management API is not enabled on this gateway", c->keepAlive);
  api::Request request{c->method, path, std::move(c->headers), std::move(c->body)};
  c->awaiting = true;
  uint64_t seq = ++c->requestSeq;
  armTimer(c, kReplyTimeoutMs);  // a reply that never comes must not hold the connection
  std::shared_ptr<Mailbox> mailbox = mailbox_;
  uint64_t connId = c->id;
  api_->handle(request, [mailbox, connId, seq](api::Response response) {
    mailbox->post({connId, seq, std::move(response)});
  });
}

void AdminServer::onReplies(uv_async_t* async) {
  auto* self = static_cast<AdminServer*>(async->data);
  std::deque<Mailbox::Letter> letters;
  {
    std::lock_guard lock(self->mailbox_->mutex);
    letters.swap(self->mailbox_->letters);
  }
  for (auto& letter : letters) {
    auto it = self->conns_.find(letter.connId);
    if (it == self->conns_.end()) continue;  // the client went away meanwhile
    Conn* c = it->second;
    if (!c->awaiting || c->requestSeq != letter.requestSeq) continue;
    respond(c, letter.response.status, "application/json", letter.response.body, c->keepAlive);
  }
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
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->open = false;
    mailbox_->letters.clear();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  std::vector<Conn*> open;
  for (auto& [id, c] : conns_) open.push_back(c);
  for (Conn* c : open) closeConn(c);
}

}  // namespace mqgw
