// One connection's TLS layer: an mbedTLS server context driven without sockets. Ciphertext from
// below is lent to mbedTLS for the duration of on_read (the receive callback reads from it, so
// nothing is copied into a per-connection buffer here); what mbedTLS sends goes straight down
// with host->conn_write. After the handshake the layer above is opened and plaintext flows.
//
// Lifetime: a host call made from inside a hook (conn_push_up, conn_close) may close the
// connection and run on_close before the hook returns. enter()/leave() bracket every hook so
// that the object is deleted only once the outermost one is done.
#pragma once

#include <mbedtls/ssl.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "mqgw/plugin_abi.h"

namespace mqgw::tls {

class TlsServer;

class TlsConnection {
 public:
  TlsConnection(const TlsServer& server, mqgw_conn* conn);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  int open();
  int onRead(const uint8_t* data, size_t len);
  int onWrite(const uint8_t* data, size_t len);
  void onShutdown();
  void onClose(int reason);

  void enter() { ++depth_; }
  // true: the connection closed and no hook is on the stack any more, delete it
  bool leave() { return --depth_ == 0 && closed_; }

  // The verified client certificate's subject (mTLS), empty when there is none.
  const std::string& peerSubject() const { return peerSubject_; }

 private:
  int continueHandshake();
  int finishHandshake();
  int checkClientCertificate();
  int readPlaintext();
  int failHandshake(const char* what, int rc);
  void stopTimer();
  const char* peer();
  static int send(void* self, const unsigned char* buf, size_t len);
  static int recv(void* self, unsigned char* buf, size_t len);
  static void onHandshakeTimeout(void* self);

  const TlsServer& server_;
  mqgw_conn* conn_;
  mbedtls_ssl_context ssl_;
  mqgw_timer* timer_ = nullptr;  // the handshake deadline, until the handshake ends
  const uint8_t* in_ = nullptr;  // ciphertext lent by on_read, not yet taken by mbedTLS
  size_t inLen_ = 0;
  std::string peerSubject_;
  uint32_t depth_ = 0;
  bool handshakeDone_ = false;
  bool resumed_ = false;
  bool failed_ = false;      // the handshake failure was counted and logged
  bool closed_ = false;      // on_close ran
};

}  // namespace mqgw::tls
