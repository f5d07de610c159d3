#include "net/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "metrics/metrics.h"
#include "net/connection.h"

namespace mqgw {
namespace {

struct Accepted {
  Listener* listener;
  int fd;
  uint64_t id;
};

void openOnWorker(void* arg) {
  auto* a = static_cast<Accepted*>(arg);
  Worker* w = Worker::current();
  if (!Connection::open(*w, a->listener->stack(), a->fd, a->id))
    Gateway::get().activeConnections.fetch_sub(1);
  delete a;
}

std::string formatAddress(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return std::string("[") + host + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
}

}  // namespace

Listener::Listener(std::string name, std::string bind, uint16_t port, Stack stack)
    : name_(std::move(name)), bind_(std::move(bind)), port_(port), stack_(std::move(stack)) {
  stack_.listenerName = name_;
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

std::string Listener::requestedAddress() const {
  bool v6 = bind_.find(':') != std::string::npos;
  return (v6 ? "[" + bind_ + "]" : bind_) + ":" + std::to_string(port_);
}

std::optional<std::string> Listener::bindAndListen(int backlog) {
  sockaddr_storage ss{};
  socklen_t len;
  if (bind_.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port_);
    if (inet_pton(AF_INET6, bind_.c_str(), &a->sin6_addr) != 1) return "not an IPv6 address";
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port_);
    if (inet_pton(AF_INET, bind_.c_str(), &a->sin_addr) != 1) return "not an IPv4 address";
    len = sizeof(sockaddr_in);
  }
  fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return std::strerror(errno);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (ss.ss_family == AF_INET6) ::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd_, backlog) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    return why;
  }
  return std::nullopt;
}

std::string Listener::boundAddress() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return formatAddress(ss);
}

uint16_t Listener::boundPort() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

void Listener::startAccepting(uv_loop_t* loop) {
  uv_poll_init(loop, &poll_, fd_);
  poll_.data = this;
  uv_poll_start(&poll_, UV_READABLE, onReadable);
  polling_ = true;
}

void Listener::stopAccepting() {
  if (!polling_) return;
  polling_ = false;
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), nullptr);
  ::close(fd_);  // new connection attempts are refused from here on
  fd_ = -1;
}

void Listener::onReadable(uv_poll_t* h, int status, int) {
  if (status < 0) return;
  static_cast<Listener*>(h->data)->acceptBatch();
}

void Listener::acceptBatch() {
  Gateway& gw = Gateway::get();
  const int64_t maxConnections = coreLimits().maxConnections;
  for (int i = 0; i < 256; ++i) {  // bounded, so one busy listener cannot starve the loop
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE)
        spdlog::warn("listener {}: out of file descriptors", name_);
      return;
    }
    if (gw.activeConnections.fetch_add(1) >= maxConnections) {
      gw.activeConnections.fetch_sub(1);
      metrics::add(metrics::core().connectionsRejected, 1);
      ::close(fd);
      continue;
    }
    uint32_t w = nextWorker_++ % gw.workerCount();
    auto* a = new Accepted{this, fd, gw.nextConnectionId()};
    if (!gw.worker(w).post(openOnWorker, a)) {
      gw.activeConnections.fetch_sub(1);
      ::close(fd);
      delete a;
    }
  }
}

}  // namespace mqgw
