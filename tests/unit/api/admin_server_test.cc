// The admin server over a real socket: a uv loop in a thread, signed HTTP requests from a
// blocking client, keep-alive, async replies, 405, 413, 503 without a handler, idle timeout.
#include "admin/admin_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api_harness.h"

namespace mqgw::api::testing {
namespace {

// Runs an AdminServer on its own loop thread; stops it on that thread.
class ServerThread {
 public:
  ServerThread(Handler* handler, uint64_t idleMs = 10000) {
    uv_loop_init(&loop_);
    server_.setApiHandler(handler);
    server_.setIdleTimeoutMs(idleMs);
    auto err = server_.start(&loop_, "127.0.0.1", 0);
    EXPECT_FALSE(err) << *err;
    std::string addr = server_.boundAddress();
    port = static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
    uv_async_init(&loop_, &stop_, [](uv_async_t* a) {
      static_cast<AdminServer*>(a->data)->stop();
      uv_close(reinterpret_cast<uv_handle_t*>(a), nullptr);
    });
    stop_.data = &server_;
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~ServerThread() {
    uv_async_send(&stop_);
    thread_.join();
    EXPECT_EQ(uv_loop_close(&loop_), 0);  // every handle (connections too) was closed
  }
  uint16_t port = 0;

 private:
  uv_loop_t loop_{};
  uv_async_t stop_{};
  AdminServer server_;
  std::thread thread_;
};

int connectTo(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void sendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

struct HttpReply {
  int status = 0;
  std::string head;
  std::string body;
};

// Reads exactly one response (Content-Length framed); status 0 when the connection ended first.
HttpReply readReply(int fd) {
  std::string data;
  char buf[4096];
  HttpReply r;
  while (true) {
    size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = data.substr(0, end);
      size_t cl = head.find("Content-Length: ");
      size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
      if (data.size() >= end + 4 + length) {
        r.status = std::stoi(head.substr(9, 3));
        r.head = head;
        r.body = data.substr(end + 4, length);
        return r;
      }
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return r;
    data.append(buf, static_cast<size_t>(n));
  }
}

std::string httpRequest(const Request& r, bool mixedCaseHeaders = false) {
  std::string text = r.method + " " + r.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (auto& [name, value] : r.headers) {
    std::string n = name;
    if (mixedCaseHeaders) n[0] = 'X', n[2] = 'M';
    text += n + ": " + value + "\r\n";
  }
  return text + "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
}

class AdminServerTest : public ApiTest {};

TEST_F(AdminServerTest, SignedRequestsOnOneKeepAliveConnection) {
  ServerThread server(&dispatcher);
  int fd = connectTo(server.port);
  sendAll(fd, httpRequest(sign("CreateInstance", R"({"InstanceName":"demo"})"), true));
  HttpReply created = readReply(fd);
  EXPECT_EQ(created.status, 200) << created.body;
  EXPECT_NE(created.head.find("Content-Type: application/json"), std::string::npos);
  EXPECT_NE(created.head.find("Connection: keep-alive"), std::string::npos);
  EXPECT_EQ(json::parse(created.body)["Instance"]["InstanceName"], "demo");

  // Two pipelined requests on the same connection are answered in order.
  sendAll(fd, httpRequest(sign("ListInstances", "{}")) + httpRequest(sign("NoSuchAction", "{}")));
  HttpReply listed = readReply(fd);
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(json::parse(listed.body)["Instances"].size(), 1u);
  HttpReply unknown = readReply(fd);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["Code"], "InvalidAction");

  Request bad = sign("ListInstances", "{}");
  bad.body = "{ }";  // signed body differs
  sendAll(fd, httpRequest(bad));
  HttpReply refused = readReply(fd);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(json::parse(refused.body)["Code"], "SignatureDoesNotMatch");
  close(fd);
}

TEST_F(AdminServerTest, AsyncSendMessageReplyComesBackThroughTheLoop) {
  std::string id = call("CreateInstance", {{"InstanceName", "demo"}})["Instance"]["InstanceId"];
  runtime.fromOtherThread = true;
  ServerThread server(&dispatcher);
  int fd = connectTo(server.port);
  json body = {{"InstanceId", id}, {"MqttTopic", "demo_topic/x"}, {"Payload", "hi"}};
  sendAll(fd, httpRequest(sign("SendMessage", body.dump())));
  HttpReply r = readReply(fd);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["MsgId"], std::string(32, 'a'));

  // A client that leaves before its reply: the late reply is dropped, the server carries on.
  int gone = connectTo(server.port);
  sendAll(gone, httpRequest(sign("SendMessage", body.dump())));
  close(gone);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  sendAll(fd, httpRequest(sign("ListInstances", "{}")));
  EXPECT_EQ(readReply(fd).status, 200);
  close(fd);
  runtime.joinAll();
  EXPECT_EQ(runtime.sent.size(), 2u);
}

TEST_F(AdminServerTest, MethodBodyLimitAndLegacyEndpoints) {
  ServerThread server(&dispatcher);
  int fd = connectTo(server.port);
  sendAll(fd, "GET /api/v1/ListInstances HTTP/1.1\r\nHost: x\r\n\r\n");
  HttpReply get = readReply(fd);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(json::parse(get.body)["Code"], "MethodNotAllowed");
  close(fd);

  fd = connectTo(server.port);
  std::string big(1024 * 1024 + 1, 'x');
  Request over = sign("CreateInstance", big);
  sendAll(fd, httpRequest(over));
  HttpReply tooLarge = readReply(fd);
  EXPECT_EQ(tooLarge.status, 413);
  json e = json::parse(tooLarge.body);
  EXPECT_EQ(e["Code"], "PayloadTooLarge");
  EXPECT_TRUE(e.contains("RequestId") && e.contains("Message"));
  close(fd);

  fd = connectTo(server.port);  // /metrics is still plain text and closes the connection
  sendAll(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  HttpReply metrics = readReply(fd);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.head.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.head.find("Connection: close"), std::string::npos);
  close(fd);
}

TEST_F(AdminServerTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
  ServerThread server(&dispatcher);
  int fd = connectTo(server.port);
  std::string text = httpRequest(sign("ListInstances", "{}"));
  size_t headEnd = text.find("\r\n\r\n");
  sendAll(fd, text.substr(0, headEnd) + "\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(readReply(fd).status, 100);
  sendAll(fd, "{}");
  EXPECT_EQ(readReply(fd).status, 200);
  close(fd);
}

TEST_F(AdminServerTest, WithoutHandlerTheApiIsDisabled) {
  ServerThread server(nullptr);
  int fd = connectTo(server.port);
  sendAll(fd, httpRequest(sign("ListInstances", "{}")));
  HttpReply r = readReply(fd);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["Code"], "ManagementApiDisabled");
  close(fd);
}

TEST_F(AdminServerTest, IncompleteRequestIsClosedAfterTheIdleTimeout) {
  ServerThread server(&dispatcher, 200);
  int slow = connectTo(server.port);
  sendAll(slow, "POST /api/v1/ListInstances HTTP/1.1\r\nContent-Length: 2\r\n\r\n{");
  // Another client is served meanwhile: the slow one blocks nobody.
  int fast = connectTo(server.port);
  sendAll(fast, httpRequest(sign("ListInstances", "{}")));
  EXPECT_EQ(readReply(fast).status, 200);
  auto start = std::chrono::steady_clock::now();
  char c;
  EXPECT_EQ(recv(slow, &c, 1, 0), 0);  // closed without an answer
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  close(slow);
  close(fast);
}

}  // namespace
}  // namespace mqgw::api::testing
