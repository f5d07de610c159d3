// The TLS layer of the load generator: an mbedTLS 2.28 client driven memory-BIO style. Its
// receive callback reads from the bytes of the current call (mbedTLS keeps a partial record
// itself) and its send callback appends records to the caller's output, so it never touches
// the socket and never blocks the worker's loop.
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <memory>
#include <string>

#include "transport.h"

namespace mqgw::bench {

// What every TLS connection of one worker shares: the random generator (not thread-safe, hence
// one per worker), the trusted CA and the client configuration.
class TlsClientConfig {
 public:
  // cafile empty: the server certificate is not verified (a benchmark, not a client to trust).
  // serverName: SNI and the name the certificate must carry.
  TlsClientConfig(const std::string& cafile, std::string serverName);
  ~TlsClientConfig();
  TlsClientConfig(const TlsClientConfig&) = delete;
  TlsClientConfig& operator=(const TlsClientConfig&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const mbedtls_ssl_config* config() const { return &conf_; }
  const std::string& serverName() const { return serverName_; }

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  mbedtls_x509_crt ca_;
  mbedtls_ssl_config conf_;
  std::string serverName_;
  std::string error_;
};

class TlsClientLayer final : public ClientLayer {
 public:
  explicit TlsClientLayer(const TlsClientConfig& config);
  ~TlsClientLayer() override;
  TlsClientLayer(const TlsClientLayer&) = delete;
  TlsClientLayer& operator=(const TlsClientLayer&) = delete;

  bool start(std::vector<uint8_t>& down) override;
  bool fromBelow(const uint8_t* data, size_t len, std::vector<uint8_t>& up,
                 std::vector<uint8_t>& down) override;
  bool fromAbove(const uint8_t* data, size_t len, std::vector<uint8_t>& down) override;
  bool open() const override { return open_; }

 private:
  static int send(void* self, const unsigned char* buf, size_t len);
  static int recv(void* self, unsigned char* buf, size_t len);
  bool handshake();
  bool readAll(std::vector<uint8_t>& up);
  bool failed(int rc);

  mbedtls_ssl_context ssl_;
  bool setUp_ = false;
  bool open_ = false;
  const uint8_t* in_ = nullptr;
  size_t inLen_ = 0;
  std::vector<uint8_t>* out_ = nullptr;  // the current call's `down`
  char errorText_[96] = {};
};

}  // namespace mqgw::bench
