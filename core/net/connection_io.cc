// The socket side of a Connection: readiness from uv_poll, reads into the worker's shared
// buffer, writes straight from the outbound chunks with writev. Using uv_poll rather than a
// uv_tcp_t stream keeps an idle connection small (no stream state, no write requests).
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "loop/worker.h"
#include "metrics/metrics.h"
#include "gateway/gateway.h"
#include "net/connection.h"

namespace mqgw {
namespace {
constexpr int kMaxIov = 64;
constexpr int kReadsPerWakeup = 4;  // then yield to other connections on this loop
// A lingering peer that keeps sending past this is flooding: close (and let it see RST).
constexpr uint32_t kLingerMaxBytes = 1 << 20;
}  // namespace

void Connection::updatePolling() {
  if (handleClosed_) return;
  uint8_t want = 0;
  if (lingering()) {
    want = UV_READABLE;  // only to see (and drop) what the peer sends until its EOF
  } else {
    if (!closeRequested_ && !readPaused_ && !watermarkPaused_ && !storagePaused_)
      want |= UV_READABLE;
    if (blocked_) want |= UV_WRITABLE;
  }
  if (want == polling_) return;
  polling_ = want;
  if (want)
    uv_poll_start(&poll_, want, onPoll);
  else
    uv_poll_stop(&poll_);
}

void Connection::onPoll(uv_poll_t* h, int status, int events) {
  auto* c = static_cast<Connection*>(h->data);
  c->ref();
  if (status < 0) {
    c->failIo();
  } else if (c->lingering()) {
    if (events & UV_READABLE) c->drainLinger();
  } else {
    if (events & UV_WRITABLE) c->writeSome();
    if ((events & UV_READABLE) && !c->closeRequested_) c->readSome();
  }
  c->unref();
}

void Connection::readSome() {
  uint8_t* buf = worker().readBuffer();
  for (int i = 0; i < kReadsPerWakeup && (polling_ & UV_READABLE); ++i) {
    ssize_t n = ::read(fd_, buf, Worker::kReadBufferSize);
    if (n == 0) return failIo();  // orderly EOF: the peer is gone
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      return failIo();
    }
    lastActivity_ = worker().now();
    pushUp(UINT32_MAX, buf, static_cast<size_t>(n));
    if (closeRequested_ || static_cast<size_t>(n) < Worker::kReadBufferSize) return;
  }
}

// The peer reset, hung up or errored: nothing left to flush to, no EOF to wait for.
void Connection::failIo() {
  if (!closeRequested_) closeReason_ = MQGW_CLOSE_PEER_RESET;
  closeRequested_ = true;
  noLinger_ = true;
  out_.release(worker().pool());
  finishClose();
}

// The layers are closed and their last bytes written: send FIN after them, then read until the
// peer's EOF (drainLinger) so that no unread input turns our close into a RST.
void Connection::startLinger() {
  out_.release(worker().pool());
  if (::shutdown(fd_, SHUT_WR) != 0) return closeSocket();  // e.g. ENOTCONN: the peer reset
  lastActivity_ = worker().now();  // checkIdle ends the linger kLingerMs from here
  lingerDiscarded_ = 0;
  updatePolling();
}

// Reads into the shared buffer and drops it: no layer is left to take it.
void Connection::drainLinger() {
  uint8_t* buf = worker().readBuffer();
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    ssize_t n = ::read(fd_, buf, Worker::kReadBufferSize);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return closeSocket();  // the peer's EOF (or a reset): the linger is over
    lingerDiscarded_ += static_cast<uint32_t>(n);  // n <= 64 KiB: no overflow below the cap
    if (lingerDiscarded_ >= kLingerMaxBytes) return closeSocket();
  }
}

void Connection::closeSocket() {
  if (handleClosed_) return;
  handleClosed_ = true;
  out_.release(worker().pool());
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), onClosed);
  ::close(fd_);  // uv_close already took the fd out of epoll
}

void Connection::flush() {
  dirty = false;
  if (!blocked_) writeSome();
}

void Connection::writeSome() {
  if (layersClosed_) return;  // lingering or closed: everything was written or dropped
  while (!out_.empty()) {
    iovec iov[kMaxIov];
    int n = out_.fillIov(iov, kMaxIov);
    ssize_t wrote = ::writev(fd_, iov, n);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return failIo();
    }
    out_.consume(worker().pool(), static_cast<size_t>(wrote));
  }
  bool wasBlocked = blocked_;
  blocked_ = !out_.empty();
  if (blocked_ != wasBlocked) updatePolling();
  if (blocked_) return;
  if (closeRequested_) return finishClose();
  if (watermarkPaused_) {  // low watermark: everything flushed
    watermarkPaused_ = false;
    updatePolling();
  }
  if (wasBlocked && !layersClosed_) {
    uint32_t top = static_cast<uint32_t>(stack_->layers.size() - 1);
    const LayerSpec& s = stack_->layers.back();
    if (layerAt(top).open && s.frontend->on_drain) s.frontend->on_drain(layerAt(top).state);
  }
}

void Connection::onClosed(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  if (c->listed_) {
    c->worker().removeConnection(c);
    metrics::add(metrics::core().connectionsActive, -1);
    Gateway::get().activeConnections.fetch_sub(1);
  }
  c->unref();
}

}  // namespace mqgw
