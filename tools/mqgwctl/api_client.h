// One management API call: sign, POST /api/v1/<Action>, classify the answer.
#pragma once

#include "credentials.h"
#include "http_client.h"
#include "invocation.h"

#include <string>

namespace mqgw::ctl {

struct ApiResult {
  enum class Kind {
    Ok,         // 200 with a JSON object
    ApiError,   // the server refused: message is "Error <Code>: <Message> (RequestId <id>)"
    Transport   // no usable answer: connection, timeout, malformed response
  };
  Kind kind = Kind::Transport;
  Json response;        // Ok: the object; ApiError: the error body when it was JSON
  std::string message;  // ApiError / Transport: the line for stderr
};

// Classifies a received HTTP response (pure; `url` only names the server in messages).
ApiResult interpretResponse(const HttpResponse& http, const std::string& url);

// Signs with the current time and a fresh nonce, sends, classifies.
ApiResult callApi(const Credentials& credentials, const std::string& action, const Json& body);

}  // namespace mqgw::ctl
