// One listener layer's TLS server: the mbedTLS configuration every connection of the listener
// shares (read-only once built), the certificates, the SNI table and the resumption state.
// Connections run on several worker threads at once: the DRBG, the ticket keys and the session
// cache lock internally (Debian builds mbedTLS with MBEDTLS_THREADING_PTHREAD).
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <memory>
#include <string>
#include <vector>

#include "tls_settings.h"

namespace mqgw::tls {

// A certificate chain with its private key.
struct CertKey {
  CertKey();
  ~CertKey();
  CertKey(const CertKey&) = delete;
  CertKey& operator=(const CertKey&) = delete;
  mbedtls_x509_crt chain;
  mbedtls_pk_context key;
};

class TlsServer {
 public:
  TlsServer();
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  // Loads the files and builds the configuration. MQGW_OK, or an error with *why set.
  int init(const TlsSettings& s, std::string* why);

  const mbedtls_ssl_config* config() const { return &conf_; }
  const TlsSettings& settings() const { return settings_; }

 private:
  struct SniCert {
    std::string serverName;
    std::unique_ptr<CertKey> certKey;
  };
  int seedRandom(std::string* why);
  int loadCertKey(const std::string& cert, const std::string& key, CertKey* out,
                  std::string* why);
  int setupConfig(std::string* why);
  int setupResumption(std::string* why);
  static int onSni(void* self, mbedtls_ssl_context* ssl, const unsigned char* name, size_t len);

  TlsSettings settings_;
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  mbedtls_ssl_config conf_;
  mbedtls_x509_crt clientCa_;
  mbedtls_ssl_ticket_context tickets_;
  mbedtls_ssl_cache_context cache_;
  CertKey main_;
  std::vector<SniCert> sni_;
};

// "what failed: mbedTLS's text (-0x1234)"
std::string mbedtlsError(const char* what, int rc);

}  // namespace mqgw::tls
