// The opening handshake: http-parser does the HTTP/1.1 syntax, this file the WebSocket rules.
#include <algorithm>
#include <cctype>
#include <climits>

#include "websocket/ws_handshake.h"

namespace mqgw::ws {
namespace {

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool hasToken(std::string_view list, std::string_view token) {
  for (std::string_view t : splitTokens(list))
    if (equalsNoCase(t, token)) return true;
  return false;
}

void appendListValue(std::string& to, std::string_view v) {
  if (!to.empty()) to += ", ";
  to += v;
}

const char* statusText(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
  }
}

}  // namespace

std::vector<std::string_view> splitTokens(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view t = list.substr(0, comma);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (!t.empty()) out.push_back(t);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::string httpError(int status, std::string_view reason) {
  std::string body(reason);
  body += '\n';
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + statusText(status) + "\r\n";
  if (status == 426) r += "Sec-WebSocket-Version: 13\r\n";
  r += "Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
       std::to_string(body.size()) + "\r\n\r\n" + body;
  return r;
}

HandshakeParser::HandshakeParser(const HandshakeSettings& s) : settings_(s) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

HandshakeOutcome HandshakeParser::feed(const uint8_t* data, size_t len) {
  if (len == 0) return {};  // http-parser would take an empty input as end of stream
  // The parser sees at most one byte past the limit: enough to know the request is too long,
  // and a request that fits ends inside what it saw (the rest are frames).
  const size_t before = seen_;
  const size_t give = std::min(len, settings_.maxRequestBytes + 1 - before);
  seen_ += give;
  size_t used = http_parser_execute(&parser_, &callbacks(), reinterpret_cast<const char*>(data),
                                    give);
  const http_errno err = HTTP_PARSER_ERRNO(&parser_);
  if (complete_) {
    if (before + used > settings_.maxRequestBytes) return refuse(431, "request headers too large");
    HandshakeOutcome out = evaluate();
    // http-parser upgrades only with both headers; evaluate() checks them too, so this is a guard.
    if (out.state == HandshakeOutcome::State::Accepted && !parser_.upgrade)
      return refuse(400, "not an Upgrade request");
    out.consumed = used;
    return out;
  }
  if (err != HPE_OK)
    return refuse(400, std::string("malformed HTTP request: ") + http_errno_description(err));
  if (seen_ > settings_.maxRequestBytes) return refuse(431, "request headers too large");
  return {};
}

HandshakeOutcome HandshakeParser::refuse(int status, std::string reason) const {
  HandshakeOutcome out;
  out.state = HandshakeOutcome::State::Refused;
  out.status = status;
  out.response = httpError(status, reason);
  out.reason = std::move(reason);
  return out;
}

// RFC 6455 4.2.1, in the order that gives a client the most useful answer.
HandshakeOutcome HandshakeParser::evaluate() const {
  if (parser_.method != HTTP_GET) return refuse(405, "a WebSocket handshake must be a GET");
  if (parser_.http_major != 1 || parser_.http_minor < 1)
    return refuse(400, "a WebSocket handshake needs HTTP/1.1");
  if (hasBody_) return refuse(400, "a WebSocket handshake has no body");
  std::string_view path = url_;
  path = path.substr(0, path.find('?'));
  if (path != settings_.path) return refuse(404, "no WebSocket endpoint at this path");
  if (host_.empty()) return refuse(400, "missing Host header");
  if (!hasToken(upgrade_, "websocket")) return refuse(400, "missing 'Upgrade: websocket' header");
  if (!hasToken(connection_, "upgrade"))
    return refuse(400, "missing 'Connection: Upgrade' header");
  if (version_ != "13") return refuse(426, "unsupported Sec-WebSocket-Version, this server speaks 13");
  if (!validClientKey(key_)) return refuse(400, "missing or invalid Sec-WebSocket-Key");

  std::string protocol;
  std::vector<std::string_view> offered = splitTokens(protocols_);
  if (!offered.empty() && !settings_.subprotocols.empty()) {
    for (std::string_view o : offered) {
      auto it = std::find(settings_.subprotocols.begin(), settings_.subprotocols.end(), o);
      if (it != settings_.subprotocols.end()) {
        protocol = *it;
        break;
      }
    }
    if (protocol.empty()) {
      std::string known;
      for (const auto& s : settings_.subprotocols) appendListValue(known, s);
      return refuse(400, "no supported Sec-WebSocket-Protocol offered (this server speaks " +
                             known + ")");
    }
  }
  HandshakeOutcome out;
  out.state = HandshakeOutcome::State::Accepted;
  out.status = 101;
  out.protocol = protocol;
  out.response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: " + acceptKey(key_) + "\r\n";
  if (!protocol.empty()) out.response += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
  out.response += "\r\n";
  return out;
}

// ---- http-parser callbacks: pieces of one field or value may arrive over several calls ----

int HandshakeParser::onUrl(http_parser* p, const char* at, size_t n) {
  static_cast<HandshakeParser*>(p->data)->url_.append(at, n);
  return 0;
}

int HandshakeParser::onHeaderField(http_parser* p, const char* at, size_t n) {
  auto* self = static_cast<HandshakeParser*>(p->data);
  if (self->inValue_) self->commitHeader();
  self->field_.append(at, n);
  return 0;
}

int HandshakeParser::onHeaderValue(http_parser* p, const char* at, size_t n) {
  auto* self = static_cast<HandshakeParser*>(p->data);
  self->inValue_ = true;
  self->value_.append(at, n);
  return 0;
}

int HandshakeParser::onHeadersComplete(http_parser* p) {
  auto* self = static_cast<HandshakeParser*>(p->data);
  if (self->inValue_) self->commitHeader();
  self->hasBody_ = (p->flags & F_CHUNKED) ||
                   (p->content_length > 0 && p->content_length != ULLONG_MAX);
  return 1;  // skip any body: the bytes after the headers are frames (or the request is refused)
}

int HandshakeParser::onMessageComplete(http_parser* p) {
  auto* self = static_cast<HandshakeParser*>(p->data);
  self->complete_ = true;
  if (!p->upgrade) http_parser_pause(p, 1);  // never parse a second, pipelined request
  return 0;
}

void HandshakeParser::commitHeader() {
  std::string_view f = field_;
  if (equalsNoCase(f, "Host")) appendListValue(host_, value_);
  else if (equalsNoCase(f, "Upgrade")) appendListValue(upgrade_, value_);
  else if (equalsNoCase(f, "Connection")) appendListValue(connection_, value_);
  else if (equalsNoCase(f, "Sec-WebSocket-Key")) appendListValue(key_, value_);
  else if (equalsNoCase(f, "Sec-WebSocket-Version")) appendListValue(version_, value_);
  else if (equalsNoCase(f, "Sec-WebSocket-Protocol")) appendListValue(protocols_, value_);
  field_.clear();
  value_.clear();
  inValue_ = false;
}

const http_parser_settings& HandshakeParser::callbacks() {
  static const http_parser_settings s = [] {
    http_parser_settings cb{};
    cb.on_url = &HandshakeParser::onUrl;
    cb.on_header_field = &HandshakeParser::onHeaderField;
    cb.on_header_value = &HandshakeParser::onHeaderValue;
    cb.on_headers_complete = &HandshakeParser::onHeadersComplete;
    cb.on_message_complete = &HandshakeParser::onMessageComplete;
    return cb;
  }();
  return s;
}

}  // namespace mqgw::ws
