// A blocking HTTP/1.1 client for one POST to the management API: POSIX sockets, one request per
// connection ("Connection: close"), 10 s timeouts. Plain http:// only; the admin listener has no
// TLS (put a TLS proxy in front of it when it leaves the host).
#pragma once

#include "signing.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqgw::ctl {

struct Endpoint {
  std::string host;  // name or address, without brackets for IPv6
  uint16_t port = 80;
  std::string url;   // as given, without a trailing '/', for messages
};

// "http://host[:port][/]"; IPv6 as "http://[::1]:9090". False with a message otherwise.
bool parseEndpoint(std::string_view url, Endpoint* out, std::string* error);

struct HttpResponse {
  int status = 0;
  std::string body;
};

enum class ParseState { Incomplete, Complete, Invalid };

// Parses what was read so far. A body is framed by Content-Length, chunked transfer coding, or
// (neither given) the end of the connection, which `eof` announces.
ParseState parseHttpResponse(std::string_view raw, bool eof, HttpResponse* out);

// False with a message such as "cannot connect to http://127.0.0.1:9090: Connection refused".
bool httpPost(const Endpoint& endpoint, std::string_view path, const std::vector<Header>& headers,
              std::string_view body, HttpResponse* out, std::string* error,
              int timeoutSeconds = 10);

}  // namespace mqgw::ctl
