// The pure half of http_client.h: endpoint URLs and response framing, testable without sockets.
#include "http_client.h"

#include <strings.h>

#include <charconv>

namespace mqgw::ctl {
namespace {

constexpr size_t kMaxHead = 64 * 1024;

bool parseNumber(std::string_view text, int base, uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out, base);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Decodes a chunked body; Complete once the last (zero-size) chunk is in.
ParseState decodeChunked(std::string_view raw, std::string* body) {
  body->clear();
  for (;;) {
    size_t lineEnd = raw.find("\r\n");
    if (lineEnd == std::string_view::npos) return ParseState::Incomplete;
    std::string_view sizeLine = raw.substr(0, lineEnd);
    std::string_view sizeText = trimSpaces(sizeLine.substr(0, sizeLine.find(';')));
    uint64_t size = 0;
    if (!parseNumber(sizeText, 16, &size)) return ParseState::Invalid;
    raw.remove_prefix(lineEnd + 2);
    if (size == 0) return ParseState::Complete;  // trailers, if any, are not needed
    if (raw.size() < size + 2) return ParseState::Incomplete;
    body->append(raw.substr(0, size));
    raw.remove_prefix(size + 2);
  }
}

}  // namespace

bool parseEndpoint(std::string_view url, Endpoint* out, std::string* error) {
  constexpr std::string_view kScheme = "http://";
  Endpoint ep;
  ep.url = std::string(url);
  while (!ep.url.empty() && ep.url.back() == '/') ep.url.pop_back();
  std::string_view rest(ep.url);
  if (rest.substr(0, kScheme.size()) != kScheme) {
    *error = "endpoint '" + std::string(url) + "' must start with http:// (https is not supported)";
    return false;
  }
  rest.remove_prefix(kScheme.size());
  std::string_view portText;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) rest = {};
    else {
      ep.host = std::string(rest.substr(1, close - 1));
      std::string_view after = rest.substr(close + 1);
      if (!after.empty() && after.front() != ':') ep.host.clear();
      portText = after.empty() ? "" : after.substr(1);
    }
  } else {
    size_t colon = rest.find(':');
    ep.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) portText = rest.substr(colon + 1);
  }
  uint64_t port = 80;
  bool portOk = portText.empty() ? ep.url.back() != ':' : parseNumber(portText, 10, &port);
  if (ep.host.empty() || ep.host.find('/') != std::string::npos || !portOk || port == 0 ||
      port > 65535) {
    *error = "endpoint '" + std::string(url) + "' is not http://host[:port]";
    return false;
  }
  ep.port = static_cast<uint16_t>(port);
  *out = std::move(ep);
  return true;
}

ParseState parseHttpResponse(std::string_view raw, bool eof, HttpResponse* out) {
  size_t headEnd = raw.find("\r\n\r\n");
  if (headEnd == std::string_view::npos)
    return eof || raw.size() > kMaxHead ? ParseState::Invalid : ParseState::Incomplete;
  std::string_view head = raw.substr(0, headEnd);
  std::string_view rest = raw.substr(headEnd + 4);
  size_t lineEnd = head.find("\r\n");
  std::string_view statusLine = head.substr(0, lineEnd);
  uint64_t status = 0;
  if (statusLine.substr(0, 7) != "HTTP/1." || statusLine.size() < 12 || statusLine[8] != ' ' ||
      !parseNumber(statusLine.substr(9, 3), 10, &status))
    return ParseState::Invalid;
  out->status = static_cast<int>(status);
  bool chunked = false;
  bool haveLength = false;
  uint64_t length = 0;
  while (lineEnd != std::string_view::npos) {
    head.remove_prefix(lineEnd + 2);
    lineEnd = head.find("\r\n");
    std::string_view line = head.substr(0, lineEnd);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return ParseState::Invalid;
    std::string_view name = line.substr(0, colon);
    std::string_view value = trimSpaces(line.substr(colon + 1));
    if (sameName(name, "Content-Length")) {
      if (!parseNumber(value, 10, &length)) return ParseState::Invalid;
      haveLength = true;
    } else if (sameName(name, "Transfer-Encoding")) {
      chunked = value.find("chunked") != std::string_view::npos;
    }
  }
  if (chunked) {
    ParseState state = decodeChunked(rest, &out->body);
    return state == ParseState::Incomplete && eof ? ParseState::Invalid : state;
  }
  if (haveLength) {
    if (rest.size() < length) return eof ? ParseState::Invalid : ParseState::Incomplete;
    out->body = std::string(rest.substr(0, length));
    return ParseState::Complete;
  }
  if (!eof) return ParseState::Incomplete;
  out->body = std::string(rest);
  return ParseState::Complete;
}

}  // namespace mqgw::ctl
