#include "net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "log/log.h"
#include "loop/worker.h"
#include "metrics/metrics.h"

namespace mqgw {

struct ConnInfoStore {
  mqgw_conn_info info{};
  std::string peer;
  std::string peerSubject;
};

namespace {

// Close a connection that is still flushing after this long (peer not reading).
constexpr uint64_t kCloseFlushMs = 5000;
// Then wait at most this long for the peer's EOF (see connection.h: lingering).
constexpr uint64_t kLingerMs = 2000;

}  // namespace

Connection::Connection(Worker& w, const Stack& stack, uint64_t id)
    : stack_(&stack), id_(id) {
  (void)w;  // the worker is found through the poll handle's loop (see worker())
  for (uint32_t i = 0; i < stack.layers.size(); ++i)
    new (&layerAt(i)) Layer{nullptr, {this, i}, false};
}

Connection::~Connection() { std::free(tail_); }

Connection* Connection::allocate(Worker& w, const Stack& stack, uint64_t id) {
  static_assert(alignof(Layer) <= alignof(Connection));
  void* mem = ::operator new(sizeof(Connection) + stack.layers.size() * sizeof(Layer));
  return new (mem) Connection(w, stack, id);
}

void Connection::destroy() {
  this->~Connection();  // Layer is trivially destructible
  ::operator delete(this);
}

Connection* Connection::open(Worker& w, const Stack& stack, uv_os_sock_t fd, uint64_t id) {
  Connection* c = allocate(w, stack, id);
  c->fd_ = fd;
  if (uv_poll_init(w.loop(), &c->poll_, fd) != 0) {
    ::close(fd);
    c->destroy();
    return nullptr;
  }
  c->poll_.data = c;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->lastActivity_ = w.now();
  w.addConnection(c);
  c->listed_ = true;
  metrics::add(metrics::core().connectionsActive, 1);
  metrics::add(metrics::core().connectionsTotal, 1);
  c->ref();  // hold across on_open, which may close
  if (c->openLayer(0) == 0) c->updatePolling();
  c->unref();
  return c;
}

int Connection::openLayer(uint32_t i) {
  const LayerSpec& s = spec(i);
  Layer& l = layerAt(i);
  int rc = s.kind == MQGW_KIND_FRONTEND ? s.frontend->on_open(s.instance, &l.handle, &l.state)
                                        : s.transport->on_open(s.instance, &l.handle, &l.state);
  if (rc != 0) {
    spdlog::debug("connection {}: layer {} refused to open: {}", id_, s.name, rc);
    close(MQGW_CLOSE_PROTOCOL);
    return rc;
  }
  l.open = true;
  return 0;
}

int Connection::pushUp(uint32_t from, const uint8_t* data, size_t len) {
  uint32_t to = from == UINT32_MAX ? 0 : from + 1;
  if (closeRequested_ || layersClosed_) return MQGW_E_CLOSED;
  if (to >= stack_->layers.size() || !layerAt(to).open) return MQGW_E_INVAL;
  if (isFrontend(to)) {
    feedFrontend(data, len);
    return 0;
  }
  int rc = spec(to).transport->on_read(layerAt(to).state, data, len);
  if (rc < 0) close(MQGW_CLOSE_PROTOCOL);
  return rc;
}

void Connection::feedFrontend(const uint8_t* data, size_t len) {
  const LayerSpec& s = stack_->layers.back();
  Layer& l = layerAt(stack_->layers.size() - 1);
  if (tailLen_ == 0) {
    long used = s.frontend->on_data(l.state, data, len);
    if (closeRequested_) return;
    if (used < 0 || static_cast<size_t>(used) > len) return close(MQGW_CLOSE_PROTOCOL);
    if (static_cast<size_t>(used) < len) keepTail(data + used, len - used);
    return;
  }
  keepTail(data, len);  // append, then offer the joined bytes
  if (closeRequested_) return;
  long used = s.frontend->on_data(l.state, tail_, tailLen_);
  if (closeRequested_) return;
  if (used < 0 || static_cast<size_t>(used) > tailLen_) return close(MQGW_CLOSE_PROTOCOL);
  size_t rest = tailLen_ - static_cast<size_t>(used);
  if (rest == 0) {
    std::free(tail_);
    tail_ = nullptr;
    tailLen_ = 0;
  } else if (used > 0) {
    std::memmove(tail_, tail_ + used, rest);
    tailLen_ = static_cast<uint32_t>(rest);
  }
}

void Connection::keepTail(const uint8_t* data, size_t len) {
  // A partial packet can be at most max_packet_size plus its fixed header; more is hostile.
  size_t cap = static_cast<size_t>(limits().max_packet_size) + 8;
  if (tailLen_ + len > cap) return close(MQGW_CLOSE_PROTOCOL);
  auto* grown = static_cast<uint8_t*>(std::realloc(tail_, tailLen_ + len));
  if (!grown) std::abort();
  tail_ = grown;
  std::memcpy(tail_ + tailLen_, data, len);
  tailLen_ += static_cast<uint32_t>(len);
}

int Connection::openUp(uint32_t layer) {
  if (closeRequested_ || layer + 1 >= stack_->layers.size()) return MQGW_E_INVAL;
  return openLayer(layer + 1);
}

int Connection::write(uint32_t layer, const uint8_t* data, size_t len) {
  if (layersClosed_ || handleClosed_) return MQGW_E_CLOSED;
  if (layer > 0) return spec(layer - 1).transport->on_write(layerAt(layer - 1).state, data, len);
  if (len == 0) return 0;
  // Hard bound: a peer that never reads cannot make us buffer without limit.
  const uint64_t bound = limits().max_outbound_bytes;
  if (pendingOut() + len > 4 * bound) {
    spdlog::debug("connection {}: outbound queue over {} bytes, closing", id_, 4 * bound);
    close(MQGW_CLOSE_OVERFLOW);
    return MQGW_E_AGAIN;
  }
  out_.append(worker().pool(), data, len);
  worker().markDirty(this);
  // High watermark: stop reading from a peer whose replies pile up (it is not reading them).
  if (pendingOut() > bound && !watermarkPaused_) {
    watermarkPaused_ = true;
    updatePolling();
  }
  return 0;
}

void Connection::close(int reason) {
  if (closeRequested_) return;
  closeRequested_ = true;
  closeReason_ = reason;
  lastActivity_ = worker().now();  // from here on: when the close began
  // Goodbyes travel down: each transport below the top may queue a last message.
  for (uint32_t i = static_cast<uint32_t>(stack_->layers.size()); i-- > 0;) {
    if (layerAt(i).open && spec(i).kind == MQGW_KIND_TRANSPORT && spec(i).transport->on_shutdown)
      spec(i).transport->on_shutdown(layerAt(i).state, reason);
  }
  updatePolling();  // no more reads; keep waiting for writable if blocked
  if (out_.empty())
    finishClose();
  else
    worker().markDirty(this);
}

// Everything for the peer is written (or given up): the layers close, then the socket lingers
// or, when a linger is pointless or already underway, closes.
void Connection::finishClose() {
  bool wasLingering = lingering();
  closeLayers();
  if (handleClosed_) return;
  if (wasLingering || noLinger_)
    closeSocket();
  else
    startLinger();
}

void Connection::closeLayers() {
  if (layersClosed_) return;
  layersClosed_ = true;
  // Top-down: the frontend first (it releases its session), then the transports.
  for (uint32_t i = static_cast<uint32_t>(stack_->layers.size()); i-- > 0;) {
    if (!layerAt(i).open) continue;
    layerAt(i).open = false;
    if (spec(i).kind == MQGW_KIND_FRONTEND)
      spec(i).frontend->on_close(layerAt(i).state, closeReason_);
    else
      spec(i).transport->on_close(layerAt(i).state, closeReason_);
    layerAt(i).state = nullptr;
  }
  std::free(tail_);  // a partial packet nobody will parse
  tail_ = nullptr;
  tailLen_ = 0;
}

void Connection::unref() {
  if (--refs_ == 0) destroy();
}

void Connection::pauseRead() {
  readPaused_ = true;
  updatePolling();
}

void Connection::resumeRead() {
  readPaused_ = false;
  updatePolling();
}

void Connection::checkIdle(uint64_t now) {
  if (closeRequested_) {
    if (handleClosed_) return;
    if (lingering()) {
      if (now - lastActivity_ > kLingerMs) closeSocket();
    } else if (now - lastActivity_ > kCloseFlushMs) {
      noLinger_ = true;  // the peer does not read: waiting for its EOF is pointless
      out_.release(worker().pool());
      finishClose();
    }
    return;
  }
  if (idleTimeoutMs_ == 0 || now - lastActivity_ < idleTimeoutMs_) return;
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  ref();
  if (layerAt(top).open && stack_->layers.back().frontend->on_timeout)
    stack_->layers.back().frontend->on_timeout(layerAt(top).state);
  close(MQGW_CLOSE_TIMEOUT);
  unref();
}

void Connection::kick(int reason) {
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  if (reason == MQGW_CLOSE_SHUTDOWN) {
    noLinger_ = true;  // a stopping worker waits for no peer's EOF
    if (lingering()) return closeSocket();
  }
  if (closeRequested_) return;
  if (layerAt(top).open && stack_->layers.back().frontend->on_kick) {
    ref();
    stack_->layers.back().frontend->on_kick(layerAt(top).state, reason);
    unref();
  } else {
    close(reason);
  }
}

void Connection::deliver(mqgw_message* msg, const mqgw_delivery& d) {
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  if (closeRequested_ || !layerAt(top).open) return;
  stack_->layers.back().frontend->on_deliver(layerAt(top).state, msg, &d);
}

void Connection::publishDone(uint64_t cookie, int status) {
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  if (layersClosed_ || !layerAt(top).open) return;
  stack_->layers.back().frontend->on_publish_done(layerAt(top).state, cookie, status);
}

void Connection::resume(const mqgw_parked* owed, uint32_t n, const uint16_t* qos2Ids,
                        uint32_t nIds) {
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  const mqgw_frontend_ops* ops = stack_->layers.back().frontend;
  if (closeRequested_ || !layerAt(top).open || !ops->on_resume) return;
  ops->on_resume(layerAt(top).state, owed, n, qos2Ids, nIds);
}

const mqgw_conn_info* Connection::info() {
  if (!info_) {
    info_ = std::make_unique<ConnInfoStore>();
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    char host[INET6_ADDRSTRLEN] = "?";
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      if (ss.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        info_->peer = std::string("[") + host + "]:" + std::to_string(ntohs(a->sin6_port));
      } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        info_->peer = std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
      }
    }
    auto& i = info_->info;
    i.struct_size = sizeof(mqgw_conn_info);
    i.listener = stack_->listenerName.c_str();
    i.peer = info_->peer.c_str();
    i.loop = worker().index();
    i.id = id_;
    for (auto& l : stack_->layers)
      if (l.caps & MQGW_CAP_TRANSPORT_SECURE) i.secure = 1;
  }
  return &info_->info;
}

void Connection::setPeerSubject(const char* subject) {
  info();  // built once, on first use
  info_->peerSubject = subject ? subject : "";
  info_->info.peer_subject = subject ? info_->peerSubject.c_str() : nullptr;
}

}  // namespace mqgw
