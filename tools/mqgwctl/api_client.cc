#include "api_client.h"

#include "signing.h"

#include <ctime>

namespace mqgw::ctl {
namespace {

std::string field(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

ApiResult interpretResponse(const HttpResponse& http, const std::string& url) {
  ApiResult result;
  Json parsed = Json::parse(http.body, nullptr, /*allow_exceptions=*/false);
  bool isObject = parsed.is_object();
  if (http.status == 200) {
    if (!isObject) {
      result.message = "unexpected response from " + url + ": the body is not a JSON object";
      return result;
    }
    result.kind = ApiResult::Kind::Ok;
    result.response = std::move(parsed);
    return result;
  }
  result.kind = ApiResult::Kind::ApiError;
  if (isObject && parsed.contains("Code")) {
    result.message = "Error " + field(parsed, "Code") + ": " + field(parsed, "Message") +
                     " (RequestId " + field(parsed, "RequestId") + ")";
    result.response = std::move(parsed);
  } else {
    std::string snippet = http.body.substr(0, 200);
    result.message = "Error HTTP " + std::to_string(http.status) +
                     (snippet.empty() ? std::string() : ": " + snippet);
  }
  return result;
}

ApiResult callApi(const Credentials& credentials, const std::string& action, const Json& body) {
  ApiResult result;
  Endpoint endpoint;
  if (!parseEndpoint(credentials.endpoint, &endpoint, &result.message)) return result;
  std::string path = "/api/v1/" + action;
  std::string text = body.dump();
  auto headers = signatureHeaders(credentials.accessKeyId, credentials.accessKeySecret, path, text,
                                  static_cast<int64_t>(std::time(nullptr)), newNonce());
  HttpResponse http;
  if (!httpPost(endpoint, path, headers, text, &http, &result.message)) return result;
  return interpretResponse(http, endpoint.url);
}

}  // namespace mqgw::ctl
