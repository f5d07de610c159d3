#include "tls_server.h"

#include <mbedtls/error.h>

#include <cstdio>
#include <strings.h>

namespace mqgw::tls {
namespace {

// TLS 1.2 with ECDHE key exchange and AEAD ciphers only: forward secrecy, no CBC, no RSA key
// transport. Strongest first; the server's order wins (mbedTLS picks by its own list).
const int kCiphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    0};

// The default list would also offer small curves (secp192r1, secp224r1).
const mbedtls_ecp_group_id kCurves[] = {MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1,
                                        MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_NONE};

constexpr char kPersonalization[] = "mqgw-tls";

}  // namespace

std::string mbedtlsError(const char* what, int rc) {
  char text[160];
  mbedtls_strerror(rc, text, sizeof text);
  char code[24];
  std::snprintf(code, sizeof code, " (-0x%04x)", static_cast<unsigned>(-rc));
  return std::string(what) + ": " + text + code;
}

CertKey::CertKey() {
  mbedtls_x509_crt_init(&chain);
  mbedtls_pk_init(&key);
}

CertKey::~CertKey() {
  mbedtls_x509_crt_free(&chain);
  mbedtls_pk_free(&key);
}

TlsServer::TlsServer() {
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&drbg_);
  mbedtls_ssl_config_init(&conf_);
  mbedtls_x509_crt_init(&clientCa_);
  mbedtls_ssl_ticket_init(&tickets_);
  mbedtls_ssl_cache_init(&cache_);
}

TlsServer::~TlsServer() {
  mbedtls_ssl_cache_free(&cache_);
  mbedtls_ssl_ticket_free(&tickets_);
  mbedtls_x509_crt_free(&clientCa_);
  mbedtls_ssl_config_free(&conf_);
  mbedtls_ctr_drbg_free(&drbg_);
  mbedtls_entropy_free(&entropy_);
}

int TlsServer::init(const TlsSettings& s, std::string* why) {
  settings_ = s;
  if (int rc = seedRandom(why); rc != MQGW_OK) return rc;
  if (int rc = loadCertKey(s.cert, s.key, &main_, why); rc != MQGW_OK) return rc;
  for (const SniEntry& e : s.sni) {
    SniCert c{e.serverName, std::make_unique<CertKey>()};
    if (int rc = loadCertKey(e.cert, e.key, c.certKey.get(), why); rc != MQGW_OK) {
      *why = "sni." + e.serverName + ": " + *why;
      return rc;
    }
    sni_.push_back(std::move(c));
  }
  if (!s.clientCa.empty()) {
    if (int rc = mbedtls_x509_crt_parse_file(&clientCa_, s.clientCa.c_str()); rc != 0) {
      *why = mbedtlsError(("client_ca " + s.clientCa).c_str(), rc);
      return MQGW_E_INVAL;
    }
  }
  if (int rc = setupConfig(why); rc != MQGW_OK) return rc;
  return setupResumption(why);
}

int TlsServer::seedRandom(std::string* why) {
  int rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                 reinterpret_cast<const unsigned char*>(kPersonalization),
                                 sizeof kPersonalization - 1);
  if (rc != 0) *why = mbedtlsError("seeding the random generator", rc);
  return rc == 0 ? MQGW_OK : MQGW_E_UNAVAILABLE;
}

int TlsServer::loadCertKey(const std::string& cert, const std::string& key, CertKey* out,
                           std::string* why) {
  if (int rc = mbedtls_x509_crt_parse_file(&out->chain, cert.c_str()); rc != 0) {
    *why = mbedtlsError(("cert " + cert).c_str(), rc);
    return MQGW_E_INVAL;
  }
  if (int rc = mbedtls_pk_parse_keyfile(&out->key, key.c_str(), nullptr); rc != 0) {
    *why = mbedtlsError(("key " + key).c_str(), rc);
    return MQGW_E_INVAL;
  }
  if (int rc = mbedtls_pk_check_pair(&out->chain.pk, &out->key); rc != 0) {
    *why = mbedtlsError(("key " + key + " does not match cert " + cert).c_str(), rc);
    return MQGW_E_INVAL;
  }
  return MQGW_OK;
}

int TlsServer::setupConfig(std::string* why) {
  int rc = mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                       MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) {
    *why = mbedtlsError("ssl config", rc);
    return MQGW_E_INVAL;
  }
  mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, &drbg_);
  mbedtls_ssl_conf_min_version(&conf_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(&conf_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_ciphersuites(&conf_, kCiphersuites);
  mbedtls_ssl_conf_curves(&conf_, kCurves);
  mbedtls_ssl_conf_renegotiation(&conf_, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
  if ((rc = mbedtls_ssl_conf_own_cert(&conf_, &main_.chain, &main_.key)) != 0) {
    *why = mbedtlsError("cert", rc);
    return MQGW_E_INVAL;
  }
  if (!sni_.empty()) mbedtls_ssl_conf_sni(&conf_, onSni, this);
  switch (settings_.clientAuth) {
    case ClientAuth::None:
      mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_NONE);
      break;
    case ClientAuth::Optional:
      mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_OPTIONAL);
      break;
    case ClientAuth::Require:
      mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
      break;
  }
  if (settings_.clientAuth != ClientAuth::None)
    mbedtls_ssl_conf_ca_chain(&conf_, &clientCa_, nullptr);
  return MQGW_OK;
}

// Tickets (RFC 5077) keep no server state; the cache serves clients that only offer an ID.
int TlsServer::setupResumption(std::string* why) {
  if (settings_.sessionTickets) {
    int rc = mbedtls_ssl_ticket_setup(&tickets_, mbedtls_ctr_drbg_random, &drbg_,
                                      MBEDTLS_CIPHER_AES_256_GCM, settings_.sessionLifetimeS);
    if (rc != 0) {
      *why = mbedtlsError("session tickets", rc);
      return MQGW_E_INVAL;
    }
    mbedtls_ssl_conf_session_tickets_cb(&conf_, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                        &tickets_);
  }
  if (settings_.sessionCacheSize > 0) {
    mbedtls_ssl_cache_set_max_entries(&cache_, static_cast<int>(settings_.sessionCacheSize));
    mbedtls_ssl_cache_set_timeout(&cache_, static_cast<int>(settings_.sessionLifetimeS));
    mbedtls_ssl_conf_session_cache(&conf_, &cache_, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
  }
  return MQGW_OK;
}

// An unknown name (or none) keeps the default certificate rather than failing the handshake.
int TlsServer::onSni(void* self, mbedtls_ssl_context* ssl, const unsigned char* name,
                     size_t len) {
  auto* server = static_cast<TlsServer*>(self);
  for (const SniCert& c : server->sni_) {
    if (c.serverName.size() != len) continue;
    if (strncasecmp(c.serverName.data(), reinterpret_cast<const char*>(name), len) != 0) continue;
    return mbedtls_ssl_set_hs_own_cert(ssl, &c.certKey->chain, &c.certKey->key);
  }
  return 0;
}

}  // namespace mqgw::tls
