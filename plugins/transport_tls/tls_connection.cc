#include "tls_connection.h"

#include <mbedtls/net_sockets.h>
#include <mbedtls/x509_crt.h>

#include <cstddef>
#include <cstring>

#include "tls_host.h"
#include "tls_server.h"

namespace mqgw::tls {
namespace {

constexpr const char* kLog = "tls";

bool wouldBlock(int rc) {
  return rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE;
}

}  // namespace

TlsConnection::TlsConnection(const TlsServer& server, mqgw_conn* conn)
    : server_(server), conn_(conn) {
  mbedtls_ssl_init(&ssl_);
}

TlsConnection::~TlsConnection() {
  stopTimer();
  mbedtls_ssl_free(&ssl_);
}

// mbedtls_ssl_setup allocates the record buffers (about 2 x 16.6 KiB with the default
// MBEDTLS_SSL_IN/OUT_CONTENT_LEN), the bulk of a TLS connection's memory.
int TlsConnection::open() {
  if (int rc = mbedtls_ssl_setup(&ssl_, server_.config()); rc != 0) {
    host().log(MQGW_LOG_WARN, kLog, "%s", mbedtlsError("ssl setup", rc).c_str());
    return MQGW_E_NOMEM;
  }
  mbedtls_ssl_set_bio(&ssl_, this, send, recv, nullptr);
  timer_ = host().timer_start(server_.settings().handshakeTimeoutMs, 0, onHandshakeTimeout, this);
  return timer_ ? MQGW_OK : MQGW_E_NOMEM;
}

int TlsConnection::onRead(const uint8_t* data, size_t len) {
  if (closed_ || failed_) return MQGW_OK;  // input after the end is dropped
  count(gMetrics.bytesIn, static_cast<int64_t>(len));
  in_ = data;
  inLen_ = len;
  int rc = handshakeDone_ ? readPlaintext() : continueHandshake();
  in_ = nullptr;  // lent for this call only
  inLen_ = 0;
  return rc;
}

int TlsConnection::continueHandshake() {
  while (ssl_.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
    int before = ssl_.state;
    int rc = mbedtls_ssl_handshake_step(&ssl_);
    // mbedTLS 2.28 has no getter for "resumed": an abbreviated handshake goes from ServerHello
    // straight to ChangeCipherSpec, skipping the certificate and key exchange.
    if (before == MBEDTLS_SSL_SERVER_HELLO && ssl_.state == MBEDTLS_SSL_SERVER_CHANGE_CIPHER_SPEC)
      resumed_ = true;
    if (wouldBlock(rc)) return MQGW_OK;
    if (rc != 0) return failHandshake("handshake failed", rc);
    if (closed_) return MQGW_OK;
  }
  return finishHandshake();
}

int TlsConnection::finishHandshake() {
  stopTimer();
  if (int rc = checkClientCertificate(); rc != MQGW_OK) return rc;
  handshakeDone_ = true;
  count(gMetrics.handshakes);
  if (resumed_) count(gMetrics.resumed);
  host().log(MQGW_LOG_DEBUG, kLog, "%s: %s %s%s%s%s", peer(), mbedtls_ssl_get_version(&ssl_),
             mbedtls_ssl_get_ciphersuite(&ssl_), resumed_ ? " resumed" : "",
             peerSubject_.empty() ? "" : " client ", peerSubject_.c_str());
  // A refusal above closes the connection in the core; its close path calls on_close.
  if (host().conn_open_up(conn_) != MQGW_OK || closed_) return MQGW_OK;
  return inLen_ > 0 ? readPlaintext() : MQGW_OK;  // e.g. data right behind a resumed Finished
}

// With client_auth: require, mbedTLS has already refused a missing or bad certificate. With
// optional, a missing one passes anonymous, but one that does not verify is refused too.
int TlsConnection::checkClientCertificate() {
  if (server_.settings().clientAuth == ClientAuth::None) return MQGW_OK;
  uint32_t flags = mbedtls_ssl_get_verify_result(&ssl_);
  if (flags == MBEDTLS_X509_BADCERT_MISSING) return MQGW_OK;
  if (flags != 0) {
    mbedtls_ssl_send_alert_message(&ssl_, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                   MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
    return failHandshake("client certificate not verified", MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
  }
  const mbedtls_x509_crt* cert = mbedtls_ssl_get_peer_cert(&ssl_);
  if (!cert) return MQGW_OK;
  char subject[512];
  if (mbedtls_x509_dn_gets(subject, sizeof subject, &cert->subject) > 0) peerSubject_ = subject;
  // Handed to the layers above and to auth (conn_info, mqgw_auth_request) — a host older than
  // ABI 1.1 has no place for it.
  if (!peerSubject_.empty() && host().struct_size >= offsetof(mqgw_host_api, conn_set_peer_subject) +
                                                        sizeof(void*) &&
      host().conn_set_peer_subject)
    host().conn_set_peer_subject(conn_, peerSubject_.c_str());
  return MQGW_OK;
}

int TlsConnection::readPlaintext() {
  unsigned char plain[MBEDTLS_SSL_IN_CONTENT_LEN];  // stack, not per connection
  while (!closed_) {
    size_t before = inLen_;
    int n = mbedtls_ssl_read(&ssl_, plain, sizeof plain);
    if (n > 0) {
      // The core refuses (closed) or the layer above fails: the core is closing already.
      if (host().conn_push_up(conn_, plain, static_cast<size_t>(n)) < 0) return MQGW_OK;
      continue;
    }
    if (wouldBlock(n)) {
      if (inLen_ == 0) return MQGW_OK;  // every byte is inside mbedTLS: wait for more
      if (inLen_ == before) return MQGW_E_PROTOCOL;  // stuck: never drop bytes silently
      continue;  // a record without application data (an alert, a refused renegotiation)
    }
    if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || n == 0) {
      host().conn_close(conn_, MQGW_CLOSE_NORMAL);  // on_shutdown answers with our close_notify
      return MQGW_OK;
    }
    host().log(MQGW_LOG_DEBUG, kLog, "%s: %s", peer(), mbedtlsError("read", n).c_str());
    return MQGW_E_PROTOCOL;
  }
  return MQGW_OK;
}

int TlsConnection::onWrite(const uint8_t* data, size_t len) {
  if (!handshakeDone_ || closed_) return MQGW_E_CLOSED;
  while (len > 0) {
    // send() takes every byte, so a write never stops half-way with WANT_WRITE.
    int n = mbedtls_ssl_write(&ssl_, data, len);
    if (n < 0) {
      host().log(MQGW_LOG_DEBUG, kLog, "%s: %s", peer(), mbedtlsError("write", n).c_str());
      return MQGW_E_IO;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return MQGW_OK;
}

// Also the answer to the peer's close_notify (RFC 5246 7.2.1).
void TlsConnection::onShutdown() {
  if (handshakeDone_ && !closed_) mbedtls_ssl_close_notify(&ssl_);
}

// A peer gone mid-handshake (reset, EOF, a client that refused our certificate) is a failed
// handshake too; a stopping gateway is not.
void TlsConnection::onClose(int reason) {
  if (!handshakeDone_ && !failed_ && reason != MQGW_CLOSE_SHUTDOWN) {
    const char* why =
        reason == MQGW_CLOSE_TIMEOUT ? "handshake timed out" : "peer left during the handshake";
    failed_ = true;
    count(gMetrics.handshakeFailures);
    host().log(MQGW_LOG_DEBUG, kLog, "%s: %s", peer(), why);
  }
  stopTimer();
  closed_ = true;
}

int TlsConnection::failHandshake(const char* what, int rc) {
  stopTimer();
  if (!failed_) {
    failed_ = true;
    count(gMetrics.handshakeFailures);
    host().log(MQGW_LOG_DEBUG, kLog, "%s: %s", peer(), mbedtlsError(what, rc).c_str());
  }
  return MQGW_E_PROTOCOL;  // the core closes after the alert mbedTLS queued
}

void TlsConnection::stopTimer() {
  if (!timer_) return;
  host().timer_stop(timer_);
  timer_ = nullptr;
}

const char* TlsConnection::peer() {
  const mqgw_conn_info* info = host().conn_info(conn_);
  return info && info->peer ? info->peer : "?";
}

int TlsConnection::send(void* self, const unsigned char* buf, size_t len) {
  auto* c = static_cast<TlsConnection*>(self);
  if (host().conn_write(c->conn_, buf, len) != MQGW_OK) return MBEDTLS_ERR_NET_SEND_FAILED;
  count(gMetrics.bytesOut, static_cast<int64_t>(len));
  return static_cast<int>(len);
}

int TlsConnection::recv(void* self, unsigned char* buf, size_t len) {
  auto* c = static_cast<TlsConnection*>(self);
  if (c->inLen_ == 0) return MBEDTLS_ERR_SSL_WANT_READ;
  size_t n = len < c->inLen_ ? len : c->inLen_;
  std::memcpy(buf, c->in_, n);
  c->in_ += n;
  c->inLen_ -= n;
  return static_cast<int>(n);
}

// Runs from the loop, outside any hook: a client that stalls mid-handshake holds a socket and
// about 33 KiB of buffers, so it goes.
void TlsConnection::onHandshakeTimeout(void* self) {
  auto* c = static_cast<TlsConnection*>(self);
  c->enter();
  c->stopTimer();
  host().conn_close(c->conn_, MQGW_CLOSE_TIMEOUT);
  if (c->leave()) delete c;
}

}  // namespace mqgw::tls
