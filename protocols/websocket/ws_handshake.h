// The server side of the WebSocket opening handshake (RFC 6455 section 4.2): an HTTP/1.1
// Upgrade request parsed by http-parser, checked, and answered with 101 or an HTTP error whose
// body says why. Sans-I/O: feed it bytes, send what it returns.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqgw::ws {

struct HandshakeSettings {
  std::string path = "/mqtt";                              // the request target, query ignored
  std::vector<std::string> subprotocols{"mqtt", "mqttv3.1"};  // acceptable, in preference order
  size_t maxRequestBytes = 8 * 1024;                       // request line and headers
};

struct HandshakeOutcome {
  enum class State : uint8_t { NeedMore, Accepted, Refused };
  State state = State::NeedMore;
  int status = 0;         // 101, or the HTTP status of the refusal
  std::string response;   // the bytes to send: the 101 or an error page
  std::string reason;     // Refused: why (also the error page's body)
  std::string protocol;   // Accepted: the negotiated subprotocol, empty for none
  size_t consumed = 0;    // Accepted: bytes of the last input that belonged to the request
};

class HandshakeParser {
 public:
  explicit HandshakeParser(const HandshakeSettings& s);
  HandshakeParser(const HandshakeParser&) = delete;
  HandshakeParser& operator=(const HandshakeParser&) = delete;

  // Feed the next bytes of the connection. Once the result is Accepted or Refused the parser is
  // done; the bytes after `consumed` (if any) are the client's first frames.
  HandshakeOutcome feed(const uint8_t* data, size_t len);

 private:
  static const http_parser_settings& callbacks();
  static int onUrl(http_parser* p, const char* at, size_t n);
  static int onHeaderField(http_parser* p, const char* at, size_t n);
  static int onHeaderValue(http_parser* p, const char* at, size_t n);
  static int onHeadersComplete(http_parser* p);
  static int onMessageComplete(http_parser* p);
  void commitHeader();
  HandshakeOutcome evaluate() const;
  HandshakeOutcome refuse(int status, std::string reason) const;

  const HandshakeSettings& settings_;
  http_parser parser_{};
  size_t seen_ = 0;  // bytes fed so far
  std::string url_, field_, value_;
  std::string host_, upgrade_, connection_, key_, version_, protocols_;
  bool inValue_ = false;
  bool hasBody_ = false;
  bool complete_ = false;
};

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455 GUID)).
std::string acceptKey(std::string_view clientKey);

// True when key is base64 of exactly 16 bytes (RFC 6455 4.1, item 7).
bool validClientKey(std::string_view key);

// An HTTP/1.1 error response with a text/plain body; 426 also names the version we speak.
std::string httpError(int status, std::string_view reason);

// Comma-separated header tokens (RFC 7230 #rule), trimmed; empty elements dropped.
std::vector<std::string_view> splitTokens(std::string_view list);

}  // namespace mqgw::ws
