#include "transport.h"

namespace mqgw::bench {

const char* transportName(TransportKind k) {
  switch (k) {
    case TransportKind::Tcp: return "tcp";
    case TransportKind::Tls: return "tls";
    case TransportKind::Ws: return "ws";
    case TransportKind::Wss: return "wss";
  }
  return "?";
}

TransportStack::TransportStack(std::vector<std::unique_ptr<ClientLayer>> layers)
    : layers_(std::move(layers)) {}

bool TransportStack::failWith(const ClientLayer& l) {
  error_ = l.error;
  return false;
}

bool TransportStack::start(std::vector<uint8_t>& wire) { return startNext(wire); }

// Starts the next layer when the one below it is open (or, for the first, the socket is).
bool TransportStack::startNext(std::vector<uint8_t>& wire) {
  while (started_ < layers_.size() && (started_ == 0 || layers_[started_ - 1]->open())) {
    size_t i = started_++;
    down_.clear();
    if (!layers_[i]->start(down_)) return failWith(*layers_[i]);
    if (!sendBelow(i, down_, wire)) return false;
  }
  return true;
}

bool TransportStack::sendBelow(size_t from, std::vector<uint8_t>& bytes,
                               std::vector<uint8_t>& wire) {
  for (size_t j = from; j-- > 0 && !bytes.empty();) {
    next_.clear();
    if (!layers_[j]->fromAbove(bytes.data(), bytes.size(), next_)) return failWith(*layers_[j]);
    bytes.swap(next_);
  }
  wire.insert(wire.end(), bytes.begin(), bytes.end());
  return true;
}

bool TransportStack::receive(const uint8_t* data, size_t len, std::vector<uint8_t>& app,
                             std::vector<uint8_t>& wire) {
  const uint8_t* in = data;
  size_t n = len;
  for (size_t i = 0; i < started_ && (n > 0 || i == 0); ++i) {
    up_.clear();
    down_.clear();
    if (!layers_[i]->fromBelow(in, n, up_, down_)) return failWith(*layers_[i]);
    if (!sendBelow(i, down_, wire)) return false;
    if (i + 1 == started_ && !startNext(wire)) return false;  // a handshake just finished
    carry_.swap(up_);
    in = carry_.data();
    n = carry_.size();
  }
  app.insert(app.end(), in, in + n);
  return true;
}

bool TransportStack::send(const uint8_t* data, size_t len, std::vector<uint8_t>& wire) {
  ClientLayer& top = *layers_.back();
  down_.clear();
  if (!top.fromAbove(data, len, down_)) return failWith(top);
  return sendBelow(layers_.size() - 1, down_, wire);
}

}  // namespace mqgw::bench
