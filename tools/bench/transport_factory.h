// Builds the transport stack of each connection of one worker from the options: nothing for
// tcp, [tls], [ws] or [tls, ws] (bottom first). Holds the worker's TLS client configuration.
#pragma once

#include <memory>
#include <string>

#include "options.h"
#include "tls_client.h"
#include "transport.h"

namespace mqgw::bench {

class TransportFactory {
 public:
  explicit TransportFactory(const Options& o);
  // Empty when the factory can build stacks (the CA file was read, ...).
  const std::string& error() const { return error_; }
  // nullptr for plain TCP. seed varies WebSocket keys and masks between connections.
  std::unique_ptr<TransportStack> make(uint64_t seed) const;

 private:
  TransportKind kind_;
  std::string host_, wsPath_;
  std::unique_ptr<TlsClientConfig> tls_;
  std::string error_;
};

}  // namespace mqgw::bench
