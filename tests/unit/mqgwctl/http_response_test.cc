#include "http_client.h"

#include <gtest/gtest.h>

#include "api_client.h"

namespace mqgw::ctl {
namespace {

TEST(HttpResponse, ContentLengthFraming) {
  HttpResponse r;
  std::string raw = "HTTP/1.1 200 OK\r\ncontent-length: 11\r\nX: y\r\n\r\n{\"a\":\"bc\"}";
  EXPECT_EQ(parseHttpResponse(raw, false, &r), ParseState::Incomplete);
  EXPECT_EQ(parseHttpResponse(raw, true, &r), ParseState::Invalid);  // closed too early
  raw += "\nEXTRA";
  ASSERT_EQ(parseHttpResponse(raw, false, &r), ParseState::Complete);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"a\":\"bc\"}\n");
}

TEST(HttpResponse, ChunkedAndUntilClose) {
  HttpResponse r;
  std::string chunked = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n";
  EXPECT_EQ(parseHttpResponse(chunked, false, &r), ParseState::Incomplete);
  chunked += "3;ext=1\r\nefg\r\n0\r\n\r\n";
  ASSERT_EQ(parseHttpResponse(chunked, false, &r), ParseState::Complete);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "abcdefg");

  std::string unframed = "HTTP/1.0 500 Oops\r\n\r\npartial";
  EXPECT_EQ(parseHttpResponse(unframed, false, &r), ParseState::Incomplete);
  ASSERT_EQ(parseHttpResponse(unframed, true, &r), ParseState::Complete);
  EXPECT_EQ(r.body, "partial");
}

TEST(HttpResponse, Malformed) {
  HttpResponse r;
  EXPECT_EQ(parseHttpResponse("SSH-2.0-OpenSSH\r\n\r\n", false, &r), ParseState::Invalid);
  EXPECT_EQ(parseHttpResponse("HTTP/1.1 2x0 OK\r\n\r\n", false, &r), ParseState::Invalid);
  EXPECT_EQ(parseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, &r),
            ParseState::Invalid);
  EXPECT_EQ(parseHttpResponse("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", false, &r),
            ParseState::Invalid);
  EXPECT_EQ(parseHttpResponse("HTTP/1.1 200 OK\r\n", true, &r), ParseState::Invalid);
  EXPECT_EQ(parseHttpResponse("", true, &r), ParseState::Invalid);
}

TEST(Endpoint, Forms) {
  Endpoint ep;
  std::string error;
  ASSERT_TRUE(parseEndpoint("http://127.0.0.1:9090/", &ep, &error)) << error;
  EXPECT_EQ(ep.host, "127.0.0.1");
  EXPECT_EQ(ep.port, 9090);
  EXPECT_EQ(ep.url, "http://127.0.0.1:9090");
  ASSERT_TRUE(parseEndpoint("http://gw.example", &ep, &error)) << error;
  EXPECT_EQ(ep.port, 80);
  ASSERT_TRUE(parseEndpoint("http://[::1]:9090", &ep, &error)) << error;
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, 9090);
  for (const char* bad : {"https://h:1", "127.0.0.1:9090", "http://", "http://h:", "http://h:0",
                          "http://h:70000", "http://h:9090/api", "http://[::1"}) {
    EXPECT_FALSE(parseEndpoint(bad, &ep, &error)) << bad;
  }
}

TEST(ApiResult, Classification) {
  auto ok = interpretResponse({200, R"({"RequestId":"r","Instances":[]})"}, "http://h:1");
  EXPECT_EQ(ok.kind, ApiResult::Kind::Ok);
  EXPECT_EQ(ok.response["RequestId"], "r");

  auto refused = interpretResponse(
      {404, R"({"RequestId":"r9","Code":"InstanceNotFound","Message":"no such instance"})"},
      "http://h:1");
  EXPECT_EQ(refused.kind, ApiResult::Kind::ApiError);
  EXPECT_EQ(refused.message, "Error InstanceNotFound: no such instance (RequestId r9)");

  auto plain = interpretResponse({502, "Bad Gateway"}, "http://h:1");
  EXPECT_EQ(plain.kind, ApiResult::Kind::ApiError);
  EXPECT_EQ(plain.message, "Error HTTP 502: Bad Gateway");

  auto garbage = interpretResponse({200, "<html>"}, "http://h:1");
  EXPECT_EQ(garbage.kind, ApiResult::Kind::Transport);
  EXPECT_NE(garbage.message.find("http://h:1"), std::string::npos);
}

}  // namespace
}  // namespace mqgw::ctl
