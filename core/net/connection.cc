#include "net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
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
};

namespace {

// Close a connection that is still flushing after this long (peer not reading).
constexpr uint64_t kCloseLingerMs = 5000;

struct WriteReq {
  uv_write_t req;
  Connection* conn;
  OutChunk* chunks;
  size_t bytes;
};

}  // namespace

Connection::Connection(Worker& w, const Stack& stack, uint64_t id)
    : worker_(&w), stack_(&stack), layers_(new Layer[stack.layers.size()]), id_(id) {
  for (uint32_t i = 0; i < stack.layers.size(); ++i) layers_[i].handle = {this, i};
}

Connection::~Connection() { std::free(tail_); }

Connection* Connection::open(Worker& w, const Stack& stack, uv_os_sock_t fd, uint64_t id) {
  auto* c = new Connection(w, stack, id);
  if (uv_tcp_init(w.loop(), &c->tcp_) != 0) {
    ::close(fd);
    delete c;
    return nullptr;
  }
  c->tcp_.data = c;
  if (uv_tcp_open(&c->tcp_, fd) != 0) {
    ::close(fd);
    c->handleClosed_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp_), onClosed);
    return nullptr;
  }
  uv_tcp_nodelay(&c->tcp_, 1);
  c->lastActivity_ = w.now();
  w.addConnection(c);
  c->listed_ = true;
  metrics::add(metrics::core().connectionsActive, 1);
  metrics::add(metrics::core().connectionsTotal, 1);
  c->ref();  // hold across on_open, which may close
  if (c->openLayer(0) == 0) c->updateReading();
  c->unref();
  return c;
}

int Connection::openLayer(uint32_t i) {
  const LayerSpec& s = spec(i);
  Layer& l = layers_[i];
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

void Connection::onAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  buf->base = reinterpret_cast<char*>(c->worker_->readBuffer());
  buf->len = Worker::kReadBufferSize;
}

void Connection::onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(s->data);
  if (n == 0) return;
  if (n < 0) {
    c->closeReason_ = MQGW_CLOSE_PEER_RESET;
    c->out_.release(c->worker_->pool());  // the peer is gone: nothing left to flush to
    c->closeRequested_ = true;
    c->finishClose();
    return;
  }
  c->lastActivity_ = c->worker_->now();
  c->ref();
  c->pushUp(UINT32_MAX, reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(n));
  c->unref();
}

// Bytes leave layer `from` upward (UINT32_MAX = from the socket).
int Connection::pushUp(uint32_t from, const uint8_t* data, size_t len) {
  uint32_t to = from == UINT32_MAX ? 0 : from + 1;
  if (closeRequested_ || layersClosed_) return MQGW_E_CLOSED;
  if (to >= stack_->layers.size() || !layers_[to].open) return MQGW_E_INVAL;
  if (isFrontend(to)) {
    feedFrontend(data, len);
    return 0;
  }
  int rc = spec(to).transport->on_read(layers_[to].state, data, len);
  if (rc < 0) close(MQGW_CLOSE_PROTOCOL);
  return rc;
}

void Connection::feedFrontend(const uint8_t* data, size_t len) {
  const LayerSpec& s = stack_->layers.back();
  Layer& l = layers_[stack_->layers.size() - 1];
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
  if (layer > 0) return spec(layer - 1).transport->on_write(layers_[layer - 1].state, data, len);
  if (len == 0) return 0;
  // Hard bound: a peer that never reads cannot make us buffer without limit.
  const uint64_t bound = limits().max_outbound_bytes;
  if (pendingOut() + len > 4 * bound) {
    spdlog::debug("connection {}: outbound queue over {} bytes, closing", id_, 4 * bound);
    close(MQGW_CLOSE_OVERFLOW);
    return MQGW_E_AGAIN;
  }
  out_.append(worker_->pool(), data, len);
  worker_->markDirty(this);
  // High watermark: stop reading from a peer whose replies pile up (it is not reading them).
  if (pendingOut() > bound && !watermarkPaused_) {
    watermarkPaused_ = true;
    updateReading();
  }
  return 0;
}

void Connection::flush() {
  dirty = false;
  if (writing_ || out_.empty() || handleClosed_) return;
  size_t total;
  OutChunk* chunks = out_.takeAll(&total);
  uv_buf_t stackBufs[16];
  std::unique_ptr<uv_buf_t[]> heapBufs;
  unsigned n = 0;
  for (OutChunk* c = chunks; c; c = c->next) ++n;
  uv_buf_t* bufs = stackBufs;
  if (n > 16) {
    heapBufs.reset(new uv_buf_t[n]);
    bufs = heapBufs.get();
  }
  unsigned i = 0;
  for (OutChunk* c = chunks; c; c = c->next)
    bufs[i++] = uv_buf_init(reinterpret_cast<char*>(c->data), c->len);
  int wrote = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), bufs, n);
  if (wrote == static_cast<int>(total)) {
    OutQueue::releaseList(worker_->pool(), chunks);
  } else if (wrote < 0 && wrote != UV_EAGAIN) {
    OutQueue::releaseList(worker_->pool(), chunks);
    closeReason_ = MQGW_CLOSE_PEER_RESET;
    closeRequested_ = true;
    return finishClose();
  } else {
    writeRest(bufs, n, wrote < 0 ? 0 : static_cast<size_t>(wrote), chunks, total);
    return;
  }
  if (closeRequested_) finishClose();
}

void Connection::writeRest(const uv_buf_t* bufs, unsigned n, size_t skip, OutChunk* chunks,
                           size_t total) {
  unsigned first = 0;
  size_t off = skip;
  while (first < n && off >= bufs[first].len) off -= bufs[first++].len;
  std::unique_ptr<uv_buf_t[]> rest(new uv_buf_t[n - first]);
  for (unsigned i = first; i < n; ++i) rest[i - first] = bufs[i];
  rest[0].base += off;
  rest[0].len -= off;
  auto* req = new WriteReq{{}, this, chunks, total - skip};
  req->req.data = req;
  writing_ = true;
  inFlightBytes_ = total - skip;
  ref();
  int rc = uv_write(&req->req, reinterpret_cast<uv_stream_t*>(&tcp_), rest.get(), n - first,
                    onWrite);
  if (rc != 0) {
    writing_ = false;
    inFlightBytes_ = 0;
    OutQueue::releaseList(worker_->pool(), chunks);
    delete req;
    unref();
    closeReason_ = MQGW_CLOSE_PEER_RESET;
    closeRequested_ = true;
    finishClose();
  }
}

void Connection::onWrite(uv_write_t* r, int status) {
  auto* req = static_cast<WriteReq*>(r->data);
  Connection* c = req->conn;
  OutQueue::releaseList(c->worker_->pool(), req->chunks);
  delete req;
  c->writing_ = false;
  c->inFlightBytes_ = 0;
  if (status < 0) {
    c->out_.release(c->worker_->pool());
    c->closeRequested_ = true;
    c->finishClose();
  } else if (!c->out_.empty()) {
    c->worker_->markDirty(c);
  } else if (c->closeRequested_) {
    c->finishClose();
  } else if (!c->layersClosed_) {
    if (c->watermarkPaused_) {  // low watermark: everything flushed
      c->watermarkPaused_ = false;
      c->updateReading();
    }
    const LayerSpec& s = c->stack_->layers.back();
    Layer& l = c->layers_[c->stack_->layers.size() - 1];
    if (l.open && s.frontend->on_drain) s.frontend->on_drain(l.state);
  }
  c->unref();
}

void Connection::close(int reason) {
  if (closeRequested_) return;
  closeRequested_ = true;
  closeReason_ = reason;
  closeStarted_ = worker_->now();
  // Goodbyes travel down: each transport below the top may queue a last message.
  for (uint32_t i = static_cast<uint32_t>(stack_->layers.size()); i-- > 0;) {
    if (layers_[i].open && spec(i).kind == MQGW_KIND_TRANSPORT && spec(i).transport->on_shutdown)
      spec(i).transport->on_shutdown(layers_[i].state, reason);
  }
  if (!handleClosed_) uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  reading_ = false;
  if (!writing_ && out_.empty()) finishClose();
  else worker_->markDirty(this);
}

void Connection::finishClose() {
  if (!layersClosed_) {
    layersClosed_ = true;
    // Top-down: the frontend first (it releases its session), then the transports.
    for (uint32_t i = static_cast<uint32_t>(stack_->layers.size()); i-- > 0;) {
      if (!layers_[i].open) continue;
      layers_[i].open = false;
      if (spec(i).kind == MQGW_KIND_FRONTEND)
        spec(i).frontend->on_close(layers_[i].state, closeReason_);
      else
        spec(i).transport->on_close(layers_[i].state, closeReason_);
      layers_[i].state = nullptr;
    }
  }
  if (writing_ || handleClosed_) return;  // onWrite comes back here
  handleClosed_ = true;
  out_.release(worker_->pool());
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onClosed);
}

void Connection::onClosed(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  if (c->listed_) {
    c->worker_->removeConnection(c);
    metrics::add(metrics::core().connectionsActive, -1);
    Gateway::get().activeConnections.fetch_sub(1);
  }
  c->unref();
}

void Connection::unref() {
  if (--refs_ == 0) delete this;
}

void Connection::pauseRead() {
  readPaused_ = true;
  updateReading();
}

void Connection::resumeRead() {
  readPaused_ = false;
  updateReading();
}

// Reading runs unless the plugin paused it or the outbound high watermark did.
void Connection::updateReading() {
  if (handleClosed_ || closeRequested_) return;
  bool want = !readPaused_ && !watermarkPaused_;
  if (want == reading_) return;
  reading_ = want;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (want)
    uv_read_start(stream, onAlloc, onRead);
  else
    uv_read_stop(stream);
}

void Connection::checkIdle(uint64_t now) {
  if (closeRequested_) {
    if (!handleClosed_ && now - closeStarted_ > kCloseLingerMs) {
      out_.release(worker_->pool());
      finishClose();
    }
    return;
  }
  if (idleTimeoutMs_ == 0 || now - lastActivity_ < idleTimeoutMs_) return;
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  ref();
  if (layers_[top].open && stack_->layers.back().frontend->on_timeout)
    stack_->layers.back().frontend->on_timeout(layers_[top].state);
  close(MQGW_CLOSE_TIMEOUT);
  unref();
}

void Connection::kick(int reason) {
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  if (closeRequested_) return;
  if (layers_[top].open && stack_->layers.back().frontend->on_kick) {
    ref();
    stack_->layers.back().frontend->on_kick(layers_[top].state, reason);
    unref();
  } else {
    close(reason);
  }
}

void Connection::deliver(mqgw_message* msg, const mqgw_delivery& d) {
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  if (closeRequested_ || !layers_[top].open) return;
  stack_->layers.back().frontend->on_deliver(layers_[top].state, msg, &d);
}

void Connection::publishDone(uint64_t cookie, int status) {
  uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
  if (layersClosed_ || !layers_[top].open) return;
  stack_->layers.back().frontend->on_publish_done(layers_[top].state, cookie, status);
}

const mqgw_conn_info* Connection::info() {
  if (!info_) {
    info_ = std::make_unique<ConnInfoStore>();
    sockaddr_storage ss{};
    int len = sizeof ss;
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      if (ss.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        uv_ip6_name(a, host, sizeof host);
        port = ntohs(a->sin6_port);
        info_->peer = std::string("[") + host + "]:" + std::to_string(port);
      } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        uv_ip4_name(a, host, sizeof host);
        port = ntohs(a->sin_port);
        info_->peer = std::string(host) + ":" + std::to_string(port);
      }
    }
    auto& i = info_->info;
    i.struct_size = sizeof(mqgw_conn_info);
    i.listener = stack_->listenerName.c_str();
    i.peer = info_->peer.c_str();
    i.loop = worker_->index();
    i.id = id_;
    for (auto& l : stack_->layers)
      if (l.caps & MQGW_CAP_TRANSPORT_SECURE) i.secure = 1;
  }
  return &info_->info;
}

}  // namespace mqgw
