// SendMessage (asynchronous, replies from another thread), sessions and access points.
#include "api_harness.h"
#include "mqgw/plugin_abi.h"

namespace mqgw::api::testing {
namespace {

class RuntimeApiTest : public ApiTest {
 protected:
  RuntimeApiTest() {
    instance = call("CreateInstance", {{"InstanceName", "demo"}})["Instance"]["InstanceId"];
  }
  json send(json extra) {
    json b = {{"InstanceId", instance}, {"MqttTopic", "demo_topic/dev1"}, {"Payload", "hello"}};
    if (extra.is_object()) b.update(extra);
    return b;
  }
  std::string instance;
};

TEST_F(RuntimeApiTest, SendMessageTextDefaults) {
  json r = call("SendMessage", send({}));
  EXPECT_EQ(r["MsgId"], std::string(32, 'a'));
  ASSERT_EQ(runtime.sent.size(), 1u);
  EXPECT_EQ(runtime.sent[0].instanceId, instance);
  EXPECT_EQ(runtime.sent[0].topic, "demo_topic/dev1");
  EXPECT_EQ(runtime.sent[0].payload, "hello");
  EXPECT_EQ(runtime.sent[0].qos, 1);
  EXPECT_FALSE(runtime.sent[0].retain);
}

TEST_F(RuntimeApiTest, SendMessageBase64QosRetain) {
  call("SendMessage", send({{"Payload", "AAEC/w=="}, {"PayloadEncoding", "base64"},
                            {"Qos", 0}, {"Retain", true}}));
  ASSERT_EQ(runtime.sent.size(), 1u);
  EXPECT_EQ(runtime.sent[0].payload, std::string("\x00\x01\x02\xff", 4));
  EXPECT_EQ(runtime.sent[0].qos, 0);
  EXPECT_TRUE(runtime.sent[0].retain);
  call("SendMessage", send({{"Payload", ""}}));  // an empty payload is a payload
  EXPECT_EQ(runtime.sent.size(), 2u);
}

TEST_F(RuntimeApiTest, SendMessageFieldErrors) {
  json badBase64 = send({{"Payload", "not base64!"}, {"PayloadEncoding", "base64"}});
  EXPECT_EQ(callError("SendMessage", badBase64, 400), "InvalidParameter.Payload");
  EXPECT_EQ(callError("SendMessage", send({{"PayloadEncoding", "hex"}}), 400),
            "InvalidParameter.PayloadEncoding");
  EXPECT_EQ(callError("SendMessage", send({{"Qos", 2}}), 400), "InvalidParameter.Qos");
  EXPECT_EQ(callError("SendMessage", send({{"Qos", "1"}}), 400), "InvalidParameter.Qos");
  EXPECT_EQ(callError("SendMessage", send({{"Retain", 1}}), 400), "InvalidParameter.Retain");
  EXPECT_EQ(callError("SendMessage", send({{"MqttTopic", ""}}), 400),
            "InvalidParameter.MqttTopic");
  EXPECT_EQ(callError("SendMessage", send({{"Payload", nullptr}}), 400),
            "InvalidParameter.Payload");
  EXPECT_EQ(callError("SendMessage", send({{"InstanceId", "mqtt-none"}}), 404),
            "InstanceNotFound");
  EXPECT_TRUE(runtime.sent.empty());
}

TEST_F(RuntimeApiTest, SendMessageRuntimeStatusesMapToErrors) {
  struct Case {
    int status;
    int http;
    const char* code;
  };
  for (Case c : {Case{MQGW_E_INVAL, 400, "InvalidParameter.MqttTopic"},
                 Case{MQGW_E_TOO_LARGE, 400, "InvalidParameter.Payload"},
                 Case{MQGW_E_NOT_FOUND, 404, "InstanceNotFound"},
                 Case{MQGW_E_DENIED, 409, "InstanceUnavailable"},
                 Case{MQGW_E_UNAVAILABLE, 503, "StorageUnavailable"},
                 Case{MQGW_E_IO, 503, "StorageUnavailable"}}) {
    runtime.status = c.status;
    EXPECT_EQ(callError("SendMessage", send({}), c.http), c.code) << c.status;
  }
}

TEST_F(RuntimeApiTest, SendMessageReplyFromAnotherThread) {
  runtime.fromOtherThread = true;
  std::mutex m;
  std::condition_variable cv;
  std::optional<Response> got;
  std::thread::id replyThread;
  dispatcher.handle(sign("SendMessage", send({}).dump()), [&](Response r) {
    std::lock_guard lock(m);
    got = std::move(r);
    replyThread = std::this_thread::get_id();
    cv.notify_all();
  });
  {
    std::unique_lock lock(m);
    EXPECT_FALSE(got.has_value());  // the runtime answers 20 ms later
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return got.has_value(); }));
  }
  runtime.joinAll();
  EXPECT_NE(replyThread, std::this_thread::get_id());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(json::parse(got->body)["MsgId"], std::string(32, 'a'));
}

TEST_F(RuntimeApiTest, WithoutRuntimeRuntimeActionsAre503) {
  Dispatcher bare{registry, nullptr, DispatcherOptions{[this] { return nowMs; }, 100}};
  std::optional<Response> got;
  bare.handle(sign("SendMessage", send({}).dump()), [&](Response r) { got = r; });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 503);
  EXPECT_EQ(json::parse(got->body)["Code"], "RuntimeUnavailable");
}

TEST_F(RuntimeApiTest, SessionQueries) {
  runtime.online = {"GID_a@@@1", "GID_a@@@3"};
  EXPECT_EQ(call("QuerySessionByClientId", {{"InstanceId", instance}, {"ClientId", "GID_a@@@1"}})
                ["OnlineStatus"],
            true);
  EXPECT_EQ(call("QuerySessionByClientId", {{"InstanceId", instance}, {"ClientId", "GID_a@@@2"}})
                ["OnlineStatus"],
            false);
  json list = call("BatchQuerySessionByClientIds",
                   {{"InstanceId", instance},
                    {"ClientIdList", {"GID_a@@@1", "GID_a@@@2", "GID_a@@@3"}}})["OnlineStatusList"];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0], json({{"ClientId", "GID_a@@@1"}, {"OnlineStatus", true}}));
  EXPECT_EQ(list[1], json({{"ClientId", "GID_a@@@2"}, {"OnlineStatus", false}}));
  EXPECT_EQ(list[2], json({{"ClientId", "GID_a@@@3"}, {"OnlineStatus", true}}));

  json hundredOne = json::array();
  for (int i = 0; i < 101; ++i) hundredOne.push_back("GID_a@@@" + std::to_string(i));
  EXPECT_EQ(callError("BatchQuerySessionByClientIds",
                      {{"InstanceId", instance}, {"ClientIdList", hundredOne}}, 400),
            "InvalidParameter.ClientIdList");
  hundredOne.erase(hundredOne.begin());
  EXPECT_EQ(call("BatchQuerySessionByClientIds",
                 {{"InstanceId", instance}, {"ClientIdList", hundredOne}})["OnlineStatusList"]
                .size(),
            100u);
  EXPECT_EQ(callError("BatchQuerySessionByClientIds",
                      {{"InstanceId", instance}, {"ClientIdList", json::array()}}, 400),
            "InvalidParameter.ClientIdList");
  EXPECT_EQ(callError("QuerySessionByClientId", {{"InstanceId", "mqtt-x"}, {"ClientId", "c"}}, 404),
            "InstanceNotFound");
}

TEST_F(RuntimeApiTest, AccessPoints) {
  json points = call("ListAccessPoints", {{"InstanceId", instance}})["AccessPoints"];
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1], json({{"Transport", "ws"},
                             {"Listener", "web"},
                             {"Port", 8083},
                             {"Path", "/mqtt"},
                             {"PublicEndpoint", instance + ".public.example"},
                             {"PrivateEndpoint", instance + ".private.example"}}));
  EXPECT_EQ(callError("ListAccessPoints", json::object(), 400), "InvalidParameter.InstanceId");
}

}  // namespace
}  // namespace mqgw::api::testing
