// The management API as the admin HTTP server sees it: a request in, one response out, maybe
// later and from another thread. Header-only so that the admin server (in mqgw_core) needs no
// link-time dependency on mqgw_api: it only calls the abstract Handler.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>

namespace mqgw::api {

struct Request {
  std::string method;                         // "POST"
  std::string path;                           // "/api/v1/ListInstances", no query string
  std::map<std::string, std::string> headers; // names lowercased
  std::string body;

  const std::string* header(const std::string& lowercaseName) const {
    auto it = headers.find(lowercaseName);
    return it == headers.end() ? nullptr : &it->second;
  }
};

struct Response {
  int status = 200;
  std::string body;  // always a JSON object
};

// Called once per request. `reply` must be called exactly once, on any thread.
using Reply = std::function<void(Response)>;

class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(const Request& request, Reply reply) = 0;
};

// A fresh UUID-like id (8-4-4-4-12 lowercase hex) for the RequestId of every response.
inline std::string newRequestId() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id.push_back('-');
    id.push_back(kHex[gen() & 15]);
  }
  return id;
}

// JSON string contents for the plain ASCII codes and messages the server writes itself; a
// byte outside ASCII becomes '?'.
inline std::string jsonEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else if (c >= 0x80) {
      out.push_back('?');  // may not be UTF-8 (an echoed action name): never break the JSON
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// {"RequestId": ..., "Code": ..., "Message": ...} with the given HTTP status.
inline Response errorResponse(int status, std::string_view code, std::string_view message) {
  return Response{status, "{\"RequestId\":\"" + newRequestId() + "\",\"Code\":\"" +
                              jsonEscape(code) + "\",\"Message\":\"" + jsonEscape(message) +
                              "\"}"};
}

}  // namespace mqgw::api
