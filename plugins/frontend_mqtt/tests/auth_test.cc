// MQTT 5 enhanced authentication (4.12, 3.15): the frontend runs the exchange through the host's
// auth_* calls. The fake host here serves one method, "toy", whose replies each test scripts;
// it records what the frontend asked (requests, step data, finished exchanges).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "fake_host.h"

namespace mqgw::mqttfe::testing {
namespace {

using mqtt::PacketType;
using mqtt::Version;
namespace reason = mqtt::reason;

struct Reply {
  uint32_t result = MQGW_AUTH_CONTINUE;
  std::string data;
  bool hasData = true;
  uint8_t code = 0;
  std::string why;
};
Reply proceed(std::string data) { return {MQGW_AUTH_CONTINUE, std::move(data), true, 0, ""}; }
Reply succeed(std::string data, bool hasData = true) {
  return {MQGW_AUTH_SUCCESS, std::move(data), hasData, 0, ""};
}
Reply refuse(uint8_t code, std::string why = "") {
  return {MQGW_AUTH_FAIL, "", false, code, std::move(why)};
}

struct Request {
  std::string method, data, clientId, username;
  bool hasUsername = false, reauth = false, secure = false;
  std::string peer;
};

// The auth plugin behind the fake host: step n (0 = start) answers script(n, data).
struct FakeAuth {
  std::function<Reply(int, const std::string&)> script;
  int startResult = MQGW_OK;
  std::vector<Request> starts;
  std::vector<std::string> steps;  // data of every step call
  int finished = 0;
  int live = 0;  // exchanges started and not finished
  Reply last;    // keeps the reply's strings alive until the next call, as a plugin must
};

FakeAuth* gAuth = nullptr;
struct mqgw_auth_fake {
} gToyMethod;
struct ExchangeFake {
  int step = 0;
};
uint64_t gNowMs = 1000;

void fillReply(const Reply& r, mqgw_auth_reply* out) {
  gAuth->last = r;
  out->result = r.result;
  out->data = r.hasData ? mqgw_str{gAuth->last.data.data(), gAuth->last.data.size()}
                        : mqgw_str{nullptr, 0};
  out->reason_code = r.code;
  out->reason = {gAuth->last.why.data(), gAuth->last.why.size()};
}

std::string text(mqgw_str s) { return s.ptr ? std::string(s.ptr, s.len) : std::string(); }

const mqgw_auth* authFind(mqgw_str method) {
  return text(method) == "toy" ? reinterpret_cast<const mqgw_auth*>(&gToyMethod) : nullptr;
}

int authStart(const mqgw_auth* a, const mqgw_auth_request* req, mqgw_auth_exchange** ex,
              mqgw_auth_reply* out) {
  EXPECT_EQ(a, reinterpret_cast<const mqgw_auth*>(&gToyMethod));
  gAuth->starts.push_back({text(req->method), text(req->data), text(req->client_id),
                           text(req->username), req->has_username != 0, req->reauth != 0,
                           req->secure != 0, req->peer});
  *ex = nullptr;
  if (gAuth->startResult != MQGW_OK) return gAuth->startResult;
  *out = mqgw_auth_reply{};
  fillReply(gAuth->script(0, text(req->data)), out);
  *ex = reinterpret_cast<mqgw_auth_exchange*>(new ExchangeFake);
  ++gAuth->live;
  return MQGW_OK;
}

int authStep(mqgw_auth_exchange* ex, const uint8_t* data, size_t len, mqgw_auth_reply* out) {
  auto* e = reinterpret_cast<ExchangeFake*>(ex);
  std::string d(reinterpret_cast<const char*>(data), len);
  gAuth->steps.push_back(d);
  *out = mqgw_auth_reply{};
  fillReply(gAuth->script(++e->step, d), out);
  return MQGW_OK;
}

void authFinish(mqgw_auth_exchange* ex) {
  delete reinterpret_cast<ExchangeFake*>(ex);
  ++gAuth->finished;
  --gAuth->live;
}

const mqgw_conn_info* connInfo(mqgw_conn*) {
  static const mqgw_conn_info info{sizeof(mqgw_conn_info), "mqtt", "127.0.0.1:40000", 0, 1, 7,
                                   nullptr};
  return &info;
}

std::vector<uint8_t> authConnect(std::string_view method, std::string_view data,
                                 std::string_view clientId = "dev1") {
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = clientId;
  c.keepAlive = 60;
  c.username = "alice";
  c.properties.authenticationMethod = method;
  c.properties.authenticationData = data;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  return b;
}

std::vector<uint8_t> authPacket(uint8_t code, std::string_view method, std::string_view data) {
  mqtt::Auth a;
  a.reasonCode = code;
  a.properties.authenticationMethod = method;
  a.properties.authenticationData = data;
  mqtt::Buffer b;
  mqtt::encodeAuth(a, b);
  return b;
}

// Replies: challenge at start, accept "answer" at step 1 (anything else fails with 0x87).
Reply twoSteps(int step, const std::string& data) {
  if (step == 0) return proceed("challenge");
  if (data == "answer") return succeed("welcome");
  return refuse(reason::NotAuthorized, "wrong answer");
}

class Auth : public ::testing::Test {
 protected:
  void SetUp() override {
    gAuth = &auth;
    gNowMs = 1000;
    auth.script = twoSteps;
    mqgw_host_api& api = fake().api;
    api.auth_find = authFind;
    api.auth_start = authStart;
    api.auth_step = authStep;
    api.auth_finish = authFinish;
    api.conn_info = connInfo;
    api.now_ms = [] { return gNowMs; };
  }
  void TearDown() override {
    if (h.open()) h.closeFromCore(MQGW_CLOSE_PEER_RESET);
    EXPECT_EQ(auth.live, 0) << "an exchange was never finished";
    gAuth = nullptr;
  }

  // One packet out, of this type; returns it.
  OutPacket expectOne(PacketType type) {
    auto packets = h.takePackets();
    EXPECT_EQ(packets.size(), 1u);
    if (packets.empty()) return {};
    EXPECT_EQ(packets[0].type, type);
    return packets[0];
  }
  mqtt::Auth expectAuth(uint8_t code) {
    OutPacket p = expectOne(PacketType::Auth);
    mqtt::Auth a;
    EXPECT_FALSE(mqtt::decodeAuth(p.frame(), Version::V5, a).has_value());
    EXPECT_EQ(a.reasonCode, code);
    EXPECT_EQ(a.properties.authenticationMethod.value_or(""), "toy");  // 4.12.0-5
    holder_ = std::move(p);
    return a;
  }
  mqtt::Connack expectConnack(uint8_t code) {
    OutPacket p = expectOne(PacketType::Connack);
    mqtt::Connack ack;
    EXPECT_FALSE(mqtt::decodeConnack(p.frame(), Version::V5, ack).has_value());
    EXPECT_EQ(ack.reasonCode, code);
    holder_ = std::move(p);
    return ack;
  }
  mqtt::Disconnect expectDisconnect(uint8_t code) {
    OutPacket p = expectOne(PacketType::Disconnect);
    mqtt::Disconnect d;
    EXPECT_FALSE(mqtt::decodeDisconnect(p.frame(), Version::V5, d).has_value());
    EXPECT_EQ(d.reasonCode, code);
    holder_ = std::move(p);
    return d;
  }
  // CONNECT and the two-step exchange, ending connected.
  void authenticate() {
    ASSERT_GT(h.feed(authConnect("toy", "hello")), 0);
    expectAuth(reason::ContinueAuthentication);
    ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "answer")), 0);
    expectConnack(reason::Success);
  }

  FakeAuth auth;
  Harness h;
  OutPacket holder_;  // the bytes the last decoded packet's views point into
};

TEST_F(Auth, SucceedsInTwoStepsWithTheMethodAndFinalDataInConnack) {
  auto connect = authConnect("toy", "hello");
  ASSERT_EQ(h.feed(connect), static_cast<long>(connect.size()));
  mqtt::Auth challenge = expectAuth(reason::ContinueAuthentication);
  EXPECT_EQ(challenge.properties.authenticationData.value_or(""), "challenge");
  EXPECT_TRUE(fake().sessions.empty()) << "no session before the exchange succeeds";
  ASSERT_EQ(auth.starts.size(), 1u);
  const Request& r = auth.starts[0];
  EXPECT_EQ(r.method, "toy");
  EXPECT_EQ(r.data, "hello");
  EXPECT_EQ(r.clientId, "dev1");
  EXPECT_TRUE(r.hasUsername);
  EXPECT_EQ(r.username, "alice");
  EXPECT_FALSE(r.reauth);
  EXPECT_TRUE(r.secure);
  EXPECT_EQ(r.peer, "127.0.0.1:40000");

  ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "answer")), 0);
  mqtt::Connack ack = expectConnack(reason::Success);
  EXPECT_EQ(ack.properties.authenticationMethod.value_or(""), "toy");
  EXPECT_EQ(ack.properties.authenticationData.value_or(""), "welcome");
  EXPECT_EQ(auth.steps, std::vector<std::string>{"answer"});
  EXPECT_EQ(auth.finished, 1);
  ASSERT_NE(fake().lastSession(), nullptr);
  EXPECT_EQ(fake().lastSession()->clientId, "dev1");
  EXPECT_EQ(h.conn.closeCalls, 0);
}

TEST_F(Auth, SuccessAtStartGivesConnackWithoutAuth) {
  auth.script = [](int, const std::string&) { return succeed("", false); };
  ASSERT_GT(h.feed(authConnect("toy", "token")), 0);
  mqtt::Connack ack = expectConnack(reason::Success);
  EXPECT_EQ(ack.properties.authenticationMethod.value_or(""), "toy");
  EXPECT_FALSE(ack.properties.authenticationData.has_value());
  EXPECT_EQ(auth.finished, 1);
}

TEST_F(Auth, FailureIsConnack87WithTheReasonAndClose) {
  ASSERT_GT(h.feed(authConnect("toy", "hello")), 0);
  expectAuth(reason::ContinueAuthentication);
  ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "guess")), 0);
  mqtt::Connack ack = expectConnack(reason::NotAuthorized);
  EXPECT_EQ(ack.properties.reasonString.value_or(""), "wrong answer");
  EXPECT_FALSE(ack.properties.authenticationMethod.has_value());
  EXPECT_EQ(h.conn.closeCalls, 1);
  EXPECT_TRUE(fake().sessions.empty());
  EXPECT_EQ(auth.finished, 1);
  EXPECT_EQ(fake().metric("mqgw_mqtt_auth_failures_total"), 1);
}

TEST_F(Auth, PluginBadMethodCodeIsKeptInConnack) {
  auth.script = [](int, const std::string&) {
    return refuse(reason::BadAuthenticationMethod);
  };
  ASSERT_GT(h.feed(authConnect("toy", "")), 0);
  expectConnack(reason::BadAuthenticationMethod);
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST_F(Auth, PluginErrorIsConnack80) {
  auth.startResult = MQGW_E_UNAVAILABLE;
  ASSERT_GT(h.feed(authConnect("toy", "")), 0);
  expectConnack(reason::UnspecifiedError);
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST_F(Auth, UnknownMethodIsConnack8C) {
  ASSERT_GT(h.feed(authConnect("SCRAM-SHA-1", "")), 0);
  expectConnack(reason::BadAuthenticationMethod);
  EXPECT_EQ(h.conn.closeCalls, 1);
  EXPECT_TRUE(auth.starts.empty());
}

TEST_F(Auth, AuthWithAnotherMethodIsAProtocolError) {
  ASSERT_GT(h.feed(authConnect("toy", "hello")), 0);
  expectAuth(reason::ContinueAuthentication);
  EXPECT_LT(h.feed(authPacket(reason::ContinueAuthentication, "other", "answer")), 0);
  expectConnack(reason::ProtocolError);
  EXPECT_TRUE(auth.steps.empty());
  EXPECT_EQ(auth.finished, 1);
  EXPECT_TRUE(fake().sessions.empty());
}

TEST_F(Auth, AuthWithoutAMethodAtConnectIsDisconnect82) {
  h.connect(Version::V5);
  EXPECT_LT(h.feed(authPacket(reason::ReAuthenticate, "toy", "x")), 0);
  expectDisconnect(reason::ProtocolError);
  EXPECT_TRUE(auth.starts.empty());
}

TEST_F(Auth, PublishBeforeTheExchangeEndsIsAProtocolError) {
  ASSERT_GT(h.feed(authConnect("toy", "hello")), 0);
  expectAuth(reason::ContinueAuthentication);
  EXPECT_LT(h.feed(publishPacket(Version::V5, "a/b", "x", 1, 1)), 0);
  expectConnack(reason::ProtocolError);
  EXPECT_TRUE(fake().publishes.empty());
  EXPECT_TRUE(fake().sessions.empty());
  EXPECT_EQ(auth.finished, 1);
}

TEST_F(Auth, ReauthenticateSucceedsWithAuth00) {
  authenticate();
  auth.script = twoSteps;
  ASSERT_GT(h.feed(authPacket(reason::ReAuthenticate, "toy", "again")), 0);
  expectAuth(reason::ContinueAuthentication);
  ASSERT_EQ(auth.starts.size(), 2u);
  EXPECT_TRUE(auth.starts[1].reauth);
  EXPECT_EQ(auth.starts[1].data, "again");
  EXPECT_EQ(auth.starts[1].clientId, "dev1");
  // Other packets keep flowing during re-authentication (4.12.1).
  ASSERT_GT(h.feed(bytesOf({0xC0, 0x00})), 0);
  expectOne(PacketType::Pingresp);
  ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "answer")), 0);
  mqtt::Auth done = expectAuth(reason::Success);
  EXPECT_EQ(done.properties.authenticationData.value_or(""), "welcome");
  EXPECT_EQ(auth.finished, 2);
  EXPECT_EQ(h.conn.closeCalls, 0);
}

TEST_F(Auth, FailedReauthenticationIsDisconnectAndClose) {
  authenticate();
  ASSERT_GT(h.feed(authPacket(reason::ReAuthenticate, "toy", "again")), 0);
  expectAuth(reason::ContinueAuthentication);
  ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "nope")), 0);
  mqtt::Disconnect d = expectDisconnect(reason::NotAuthorized);
  EXPECT_EQ(d.properties.reasonString.value_or(""), "wrong answer");
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST_F(Auth, ReauthenticationFailureCodeNotAllowedInDisconnectBecomes87) {
  authenticate();
  auth.script = [](int, const std::string&) {
    return refuse(reason::BadAuthenticationMethod);
  };
  ASSERT_GT(h.feed(authPacket(reason::ReAuthenticate, "toy", "")), 0);
  expectDisconnect(reason::NotAuthorized);  // 0x8C is a CONNACK code only
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST_F(Auth, ContinueWithoutAnExchangeIsAProtocolError) {
  authenticate();
  EXPECT_LT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "x")), 0);
  expectDisconnect(reason::ProtocolError);
}

TEST_F(Auth, MoreThanSixteenStepsAreRefused) {
  auth.script = [](int, const std::string&) { return proceed("more"); };
  ASSERT_GT(h.feed(authConnect("toy", "")), 0);
  expectAuth(reason::ContinueAuthentication);
  for (int i = 0; i < 16; ++i) {
    ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "x")), 0);
    expectAuth(reason::ContinueAuthentication);
  }
  ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "x")), 0);
  mqtt::Connack ack = expectConnack(reason::NotAuthorized);
  EXPECT_EQ(ack.properties.reasonString.value_or(""), "too many authentication steps");
  EXPECT_EQ(auth.steps.size(), 16u);
  EXPECT_EQ(h.conn.closeCalls, 1);
}

TEST_F(Auth, AnExchangeOutlivingConnectTimeoutIsRefused) {
  ASSERT_GT(h.feed(authConnect("toy", "hello")), 0);
  expectAuth(reason::ContinueAuthentication);
  gNowMs += 10001;  // connect_timeout defaults to 10s
  ASSERT_GT(h.feed(authPacket(reason::ContinueAuthentication, "toy", "answer")), 0);
  expectConnack(reason::NotAuthorized);
  EXPECT_TRUE(auth.steps.empty());
  EXPECT_TRUE(fake().sessions.empty());
}

TEST_F(Auth, ClosingMidExchangeFinishesIt) {
  ASSERT_GT(h.feed(authConnect("toy", "hello")), 0);
  expectAuth(reason::ContinueAuthentication);
  h.closeFromCore(MQGW_CLOSE_PEER_RESET);
  EXPECT_EQ(auth.finished, 1);
}

TEST_F(Auth, AuthDataBeyondTheClientsMaximumPacketSizeIsNotSent) {
  auth.script = [](int, const std::string&) {
    return proceed(std::string(200, 'x'));
  };
  mqtt::Connect c;
  c.version = Version::V5;
  c.clientId = "dev1";
  c.properties.authenticationMethod = "toy";
  c.properties.maximumPacketSize = 64;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  ASSERT_GT(h.feed(b), 0);
  expectConnack(reason::PacketTooLarge);
  EXPECT_EQ(h.conn.closeCalls, 1);
}

}  // namespace
}  // namespace mqgw::mqttfe::testing
