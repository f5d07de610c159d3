#include "transport_factory.h"

#include "ws_client.h"

namespace mqgw::bench {

namespace {
// Development certificates (tools/dev-certs) name localhost; mbedTLS 2.28 does not match IP
// addresses against subjectAltName, so a loopback address is verified as "localhost".
std::string serverNameFor(const std::string& host) {
  return host.rfind("127.", 0) == 0 ? "localhost" : host;
}
}  // namespace

TransportFactory::TransportFactory(const Options& o)
    : kind_(o.transport), host_(o.host + ":" + std::to_string(o.port)), wsPath_(o.wsPath) {
  if (kind_ == TransportKind::Tls || kind_ == TransportKind::Wss) {
    tls_ = std::make_unique<TlsClientConfig>(o.cafile, serverNameFor(o.host));
    if (!tls_->ok()) error_ = tls_->error();
  }
}

std::unique_ptr<TransportStack> TransportFactory::make(uint64_t seed) const {
  if (kind_ == TransportKind::Tcp) return nullptr;
  std::vector<std::unique_ptr<ClientLayer>> layers;
  if (tls_) layers.push_back(std::make_unique<TlsClientLayer>(*tls_));
  if (kind_ == TransportKind::Ws || kind_ == TransportKind::Wss) {
    layers.push_back(std::make_unique<WsClientLayer>(host_, wsPath_, seed));
  }
  return std::make_unique<TransportStack>(std::move(layers));
}

}  // namespace mqgw::bench
