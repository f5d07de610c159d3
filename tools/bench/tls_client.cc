#include "tls_client.h"

#include <mbedtls/error.h>

#include <cstring>

namespace mqgw::bench {

namespace {
bool wouldBlock(int rc) { return rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE; }

std::string mbedError(const char* what, int rc) {
  char text[128];
  mbedtls_strerror(rc, text, sizeof text);
  return std::string(what) + ": " + text;
}
}  // namespace

TlsClientConfig::TlsClientConfig(const std::string& cafile, std::string serverName)
    : serverName_(std::move(serverName)) {
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&drbg_);
  mbedtls_x509_crt_init(&ca_);
  mbedtls_ssl_config_init(&conf_);
  static const char kPers[] = "mqgw-bench";
  int rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                 reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1);
  if (rc != 0) {
    error_ = mbedError("seeding the random generator", rc);
    return;
  }
  rc = mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                   MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) {
    error_ = mbedError("TLS defaults", rc);
    return;
  }
  mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, &drbg_);
  if (cafile.empty()) {
    mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_NONE);
    return;
  }
  rc = mbedtls_x509_crt_parse_file(&ca_, cafile.c_str());
  if (rc != 0) {
    error_ = mbedError(("reading --cafile " + cafile).c_str(), rc);
    return;
  }
  mbedtls_ssl_conf_ca_chain(&conf_, &ca_, nullptr);
  mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
}

TlsClientConfig::~TlsClientConfig() {
  mbedtls_ssl_config_free(&conf_);
  mbedtls_x509_crt_free(&ca_);
  mbedtls_ctr_drbg_free(&drbg_);
  mbedtls_entropy_free(&entropy_);
}

TlsClientLayer::TlsClientLayer(const TlsClientConfig& config) {
  mbedtls_ssl_init(&ssl_);
  if (mbedtls_ssl_setup(&ssl_, config.config()) != 0 ||
      mbedtls_ssl_set_hostname(&ssl_, config.serverName().c_str()) != 0) {
    error = "TLS context set-up failed";
    return;
  }
  mbedtls_ssl_set_bio(&ssl_, this, send, recv, nullptr);
  setUp_ = true;
}

TlsClientLayer::~TlsClientLayer() { mbedtls_ssl_free(&ssl_); }

int TlsClientLayer::send(void* self, const unsigned char* buf, size_t len) {
  auto* l = static_cast<TlsClientLayer*>(self);
  l->out_->insert(l->out_->end(), buf, buf + len);
  return static_cast<int>(len);
}

int TlsClientLayer::recv(void* self, unsigned char* buf, size_t len) {
  auto* l = static_cast<TlsClientLayer*>(self);
  if (l->inLen_ == 0) return MBEDTLS_ERR_SSL_WANT_READ;
  size_t n = len < l->inLen_ ? len : l->inLen_;
  std::memcpy(buf, l->in_, n);
  l->in_ += n;
  l->inLen_ -= n;
  return static_cast<int>(n);
}

bool TlsClientLayer::failed(int rc) {
  mbedtls_strerror(rc, errorText_, sizeof errorText_);
  error = errorText_;
  return false;
}

bool TlsClientLayer::start(std::vector<uint8_t>& down) {
  if (!setUp_) return false;
  out_ = &down;
  return handshake();
}

bool TlsClientLayer::handshake() {
  int rc = mbedtls_ssl_handshake(&ssl_);
  if (rc == 0) {
    open_ = true;
    return true;
  }
  return wouldBlock(rc) ? true : failed(rc);
}

bool TlsClientLayer::readAll(std::vector<uint8_t>& up) {
  unsigned char buf[16 * 1024];
  for (;;) {
    int rc = mbedtls_ssl_read(&ssl_, buf, sizeof buf);
    if (rc > 0) {
      up.insert(up.end(), buf, buf + rc);
      continue;
    }
    if (wouldBlock(rc)) return true;
    if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
      error = "TLS closed by broker";
      return false;
    }
    return failed(rc);
  }
}

bool TlsClientLayer::fromBelow(const uint8_t* data, size_t len, std::vector<uint8_t>& up,
                               std::vector<uint8_t>& down) {
  in_ = data;
  inLen_ = len;
  out_ = &down;
  bool ok = open_ || handshake();
  // Application data may follow the handshake's last record in the same read.
  if (ok && open_) ok = readAll(up);
  in_ = nullptr;
  inLen_ = 0;
  return ok;
}

bool TlsClientLayer::fromAbove(const uint8_t* data, size_t len, std::vector<uint8_t>& down) {
  out_ = &down;
  while (len > 0) {
    int rc = mbedtls_ssl_write(&ssl_, data, len);
    if (rc < 0) return failed(rc);
    data += rc;
    len -= static_cast<size_t>(rc);
  }
  return true;
}

}  // namespace mqgw::bench
