// A listening socket owned by the main (acceptor) loop. Accepted sockets are handed round-robin
// to the workers, which wrap them in Connections; the acceptor never reads a byte.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "net/stack.h"

namespace mqgw {

class Listener {
 public:
  Listener(std::string name, std::string bind, uint16_t port, Stack stack);
  ~Listener();

  // Creates, binds and listens; returns an error text ("Address already in use").
  std::optional<std::string> bindAndListen(int backlog);
  void startAccepting(uv_loop_t* loop);
  void stopAccepting();

  const std::string& name() const { return name_; }
  std::string boundAddress() const;  // "127.0.0.1:1883" or "[::1]:1883"
  uint16_t boundPort() const;        // the port bound (0 before bind)
  std::string requestedAddress() const;
  Stack& stack() { return stack_; }

 private:
  static void onReadable(uv_poll_t* h, int status, int events);
  void acceptBatch();

  std::string name_;
  std::string bind_;
  uint16_t port_;
  Stack stack_;
  int fd_ = -1;
  uv_poll_t poll_{};
  bool polling_ = false;
  uint32_t nextWorker_ = 0;
};

}  // namespace mqgw
