// The socket half of http_client.h: resolve, connect with a deadline, send, read until framed.
#include "http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mqgw::ctl {
namespace {

constexpr size_t kMaxResponse = 64 * 1024 * 1024;

// Returns 0 or an errno; ETIMEDOUT when the deadline passes first.
int connectWithTimeout(int fd, const sockaddr* addr, socklen_t len, int timeoutSeconds) {
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int err = 0;
  if (connect(fd, addr, len) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready = poll(&p, 1, timeoutSeconds * 1000);
      socklen_t errLen = sizeof err;
      if (ready == 0) err = ETIMEDOUT;
      else if (ready < 0) err = errno;
      else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errLen) != 0) err = errno;
    }
  }
  fcntl(fd, F_SETFL, flags);
  return err;
}

// A connected socket or -1 with `error` set.
int openConnection(const Endpoint& ep, int timeoutSeconds, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(ep.host.c_str(), std::to_string(ep.port).c_str(), &hints, &list);
  if (rc != 0) {
    *error = "cannot connect to " + ep.url + ": " + gai_strerror(rc);
    return -1;
  }
  int lastErr = ECONNREFUSED;
  int fd = -1;
  for (addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      lastErr = errno;
      continue;
    }
    lastErr = connectWithTimeout(fd, ai->ai_addr, ai->ai_addrlen, timeoutSeconds);
    if (lastErr != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(list);
  if (fd < 0) {
    *error = "cannot connect to " + ep.url + ": " + std::strerror(lastErr);
    return -1;
  }
  timeval tv{timeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

std::string requestText(const Endpoint& ep, std::string_view path,
                        const std::vector<Header>& headers, std::string_view body) {
  bool ipv6 = ep.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + ep.host + "]" : ep.host;
  std::string out = "POST " + std::string(path) + " HTTP/1.1\r\n";
  out += "Host: " + host + ":" + std::to_string(ep.port) + "\r\n";
  out += "User-Agent: mqgwctl\r\n";
  out += "Content-Type: application/json\r\nAccept: application/json\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool exchange(int fd, const Endpoint& ep, const std::string& request, int timeoutSeconds,
              HttpResponse* out, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = why;
    return false;
  };
  auto ioError = [&](const char* what) {
    bool timedOut = errno == EAGAIN || errno == EWOULDBLOCK;
    return fail(timedOut ? "timed out after " + std::to_string(timeoutSeconds) +
                               " s waiting for " + ep.url
                         : std::string(what) + " " + ep.url + ": " + std::strerror(errno));
  };
  if (!sendAll(fd, request)) return ioError("cannot send to");
  std::string raw;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot read from");
    raw.append(buf, static_cast<size_t>(n));
    ParseState state = parseHttpResponse(raw, n == 0, out);
    if (state == ParseState::Complete) return true;
    if (state == ParseState::Invalid || raw.size() > kMaxResponse)
      return fail(n == 0 && raw.empty() ? ep.url + " closed the connection without a response"
                                        : "malformed HTTP response from " + ep.url);
  }
}

}  // namespace

bool httpPost(const Endpoint& endpoint, std::string_view path, const std::vector<Header>& headers,
              std::string_view body, HttpResponse* out, std::string* error,
              int timeoutSeconds) {
  int fd = openConnection(endpoint, timeoutSeconds, error);
  if (fd < 0) return false;
  bool ok = exchange(fd, endpoint, requestText(endpoint, path, headers, body), timeoutSeconds,
                     out, error);
  close(fd);
  return ok;
}

}  // namespace mqgw::ctl
