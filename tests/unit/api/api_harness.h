// What the management API's tests share: a fake Runtime, a Dispatcher over a FakeRegistry with a
// movable clock, and signed calls.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/dispatcher.h"
#include "api/runtime.h"
#include "fake_registry.h"
#include "resources/crypto.h"

namespace mqgw::api::testing {

using nlohmann::json;

class FakeRuntime : public Runtime {
 public:
  std::vector<SendRequest> sent;
  int status = 0;             // what sendMessage reports
  bool fromOtherThread = false;
  std::set<std::string> online;
  std::vector<std::thread> threads;

  ~FakeRuntime() override { joinAll(); }
  void joinAll() {
    for (auto& t : threads) t.join();
    threads.clear();
  }

  void sendMessage(const SendRequest& r, SendDone done) override {
    sent.push_back(r);
    std::string id = status == 0 ? std::string(32, 'a') : "";
    if (!fromOtherThread) return done(status, id);
    int s = status;
    threads.emplace_back([done, s, id] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done(s, id);
    });
  }
  std::vector<SessionStatus> sessionStatus(const std::string&,
                                           const std::vector<std::string>& ids) override {
    std::vector<SessionStatus> out;
    for (auto it = ids.rbegin(); it != ids.rend(); ++it)  // any order: the API reorders
      if (online.count(*it)) out.push_back({*it, true});
    return out;
  }
  std::vector<AccessPoint> accessPoints(const std::string& id) override {
    return {{"tcp", "mqtt", 1883, "", id + ".public.example", id + ".private.example"},
            {"ws", "web", 8083, "/mqtt", id + ".public.example", id + ".private.example"}};
  }
};

// 8-4-4-4-12 lowercase hex.
inline bool isRequestId(const std::string& id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = id[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

inline Request signedRequest(const std::string& action, const std::string& body,
                             const std::string& keyId, const std::string& secret,
                             int64_t seconds, const std::string& nonce) {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/" + action;
  r.body = body;
  std::string ts = std::to_string(seconds);
  r.headers["x-mqgw-access-key-id"] = keyId;
  r.headers["x-mqgw-timestamp"] = ts;
  r.headers["x-mqgw-nonce"] = nonce;
  r.headers["x-mqgw-signature"] = crypto::requestSignature(
      secret, crypto::requestStringToSign(r.method, r.path, ts, nonce, body));
  return r;
}

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() {
    registry.keys["AKMAIN"] = {Caller{"acc-main", AccountKind::Main, "AKMAIN"}, "mainsecret"};
    registry.keys["AKSUB"] = {Caller{"acc-sub", AccountKind::Sub, "AKSUB"}, "subsecret"};
  }

  Request sign(const std::string& action, const std::string& body,
               const std::string& key = "AKMAIN") {
    const std::string& secret = registry.keys.count(key) ? registry.keys[key].second : "x";
    return signedRequest(action, body, key, secret, nowMs / 1000,
                         "nonce-" + std::to_string(100000 + ++nonces));
  }

  // Runs one request and waits (bounded) for its reply, which may come from another thread.
  Response run(const Request& r) {
    std::mutex m;
    std::optional<Response> got;
    std::atomic<int> replies{0};
    dispatcher.handle(r, [&](Response resp) {
      std::lock_guard lock(m);
      got = std::move(resp);
      ++replies;
    });
    for (int i = 0; i < 200 && replies == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    runtime.joinAll();
    EXPECT_EQ(replies, 1);
    std::lock_guard lock(m);
    return got.value_or(Response{-1, "{}"});
  }

  // A signed call; `status` is the expected HTTP status.
  json call(const std::string& action, const json& body, int status = 200,
            const std::string& key = "AKMAIN") {
    Response r = run(sign(action, body.dump(), key));
    EXPECT_EQ(r.status, status) << action << " " << r.body;
    json out = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(out.is_object()) << r.body;
    EXPECT_TRUE(isRequestId(out.value("RequestId", std::string()))) << r.body;
    return out;
  }

  // An error call: checks the shape {RequestId, Code, Message} and returns the Code.
  std::string callError(const std::string& action, const json& body, int status,
                        const std::string& key = "AKMAIN") {
    json out = call(action, body, status, key);
    EXPECT_EQ(out.size(), 3u) << out.dump();
    EXPECT_TRUE(out["Message"].is_string() && !out["Message"].get<std::string>().empty());
    return out.value("Code", std::string("<none>"));
  }

  FakeRegistry registry;
  FakeRuntime runtime;
  int64_t nowMs = 1764137000000;
  int nonces = 0;
  Dispatcher dispatcher{registry, &runtime, DispatcherOptions{[this] { return nowMs; }, 100000}};
};

}  // namespace mqgw::api::testing
