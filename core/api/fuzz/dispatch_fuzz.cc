// Fuzzes the management API's dispatcher past its signature check. Each input is an action name
// (first line; a "SUB:" prefix signs with a sub-account's key) and a JSON body (the rest), sent
// as a correctly signed request to a Dispatcher over the tests' FakeRegistry, fresh per input:
// instance mqtt-1 bound to store-2, topic demo_topic, group GID_demo, account acc-3, token tok4,
// device credential DK5 of GID_demo@@@dev-1. Every request must get exactly one reply: a JSON
// object with RequestId, Code and Message on errors, and never an existing key's secret.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/dispatcher.h"
#include "fake_registry.h"
#include "mqgw/plugin_abi.h"
#include "resources/crypto.h"

namespace {

using namespace mqgw::api;
using namespace mqgw::resources;
using mqgw::api::testing::FakeRegistry;

constexpr int64_t kNowMs = 1764137000000;

void check(bool ok) { ok ? void() : __builtin_trap(); }

// SendMessage answers inline, or after handle() returned as a storage backend would, with the
// status the input picks; the other questions answer from fixed data.
struct FuzzRuntime : Runtime {
  bool deferred = false;
  int status = MQGW_OK;
  std::function<void()> pending;

  void sendMessage(const SendRequest&, SendDone done) override {
    std::string id = status == MQGW_OK ? std::string(32, 'a') : "";
    if (!deferred) return done(status, id);
    pending = [done = std::move(done), s = status, id] { done(s, id); };
  }
  std::vector<SessionStatus> sessionStatus(const std::string&,
                                           const std::vector<std::string>& ids) override {
    std::vector<SessionStatus> out;
    for (size_t i = 0; i < ids.size(); i += 2) out.push_back({ids[i], true});
    return out;
  }
  std::vector<AccessPoint> accessPoints(const std::string& id) override {
    return {{"tcp", "mqtt", 1883, "", id + ".public", id + ".private"}};
  }
};

void populate(FakeRegistry& r) {
  Caller owner{"acc-main", AccountKind::Main, "AKMAIN"};
  r.keys["AKMAIN"] = {owner, "mainsecret"};
  r.keys["AKSUB"] = {Caller{"acc-sub", AccountKind::Sub, "AKSUB"}, "subsecret"};
  std::string instance = r.createInstance(owner, {"fuzz", "", {}, {}}).value->id;
  r.bind(owner, instance, r.createStorage(owner, {"store", "memory", {}, {}}).value->id);
  r.createTopic(owner, instance, "demo_topic", MessageType::Normal, "");
  r.createGroup(owner, instance, "GID_demo");
  r.createSubAccount(owner, "ops");
  r.applyToken(owner, instance, {"demo_topic/#"}, kRead | kWrite, kNowMs + 3'600'000);
  r.registerCredential(owner, instance, "GID_demo@@@dev-1");
}

Request signedRequest(const std::string& action, const std::string& body, bool sub) {
  static uint64_t nonces = 0;
  Request r{"POST", "/api/v1/" + action, {}, body};
  std::string ts = std::to_string(kNowMs / 1000), nonce = "fuzz-nonce-" + std::to_string(++nonces);
  r.headers["x-mqgw-access-key-id"] = sub ? "AKSUB" : "AKMAIN";
  r.headers["x-mqgw-timestamp"] = ts;
  r.headers["x-mqgw-nonce"] = nonce;
  r.headers["x-mqgw-signature"] = mqgw::crypto::requestSignature(
      sub ? "subsecret" : "mainsecret",
      mqgw::crypto::requestStringToSign(r.method, r.path, ts, nonce, body));
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t eol = input.find('\n');
  std::string action = input.substr(0, eol);
  std::string body = eol == std::string::npos ? "" : input.substr(eol + 1);
  bool sub = action.starts_with("SUB:");
  if (sub) action.erase(0, 4);

  static const int kStatuses[] = {MQGW_OK,          MQGW_E_INVAL,  MQGW_E_TOO_LARGE,
                                  MQGW_E_NOT_FOUND, MQGW_E_DENIED, MQGW_E_UNAVAILABLE};
  FakeRegistry registry;
  populate(registry);
  FuzzRuntime runtime;
  runtime.deferred = size % 2 == 1, runtime.status = kStatuses[size / 2 % 6];
  Dispatcher dispatcher(registry, &runtime, DispatcherOptions{[] { return kNowMs; }, 16});
  int replies = 0;
  Response got;
  dispatcher.handle(signedRequest(action, body, sub), [&](Response r) { ++replies, got = r; });
  if (runtime.pending) runtime.pending();
  check(replies == 1);
  check(got.status != 401);  // always correctly signed: the request reached its action
  check(got.status == 200 || (got.status >= 400 && got.status < 600));
  for (const char* secret : {"mainsecret", "subsecret"})
    check(got.body.find(secret) == input.npos || input.find(secret) != input.npos);
  nlohmann::json out = nlohmann::json::parse(got.body, nullptr, false);
  check(out.is_object() && out.contains("RequestId") && out["RequestId"].is_string());
  check(out["RequestId"].get<std::string>().size() == 36);
  if (got.status == 200) return check(!out.contains("Code")), 0;
  check(out.contains("Code") && out["Code"].is_string() && out["Code"] != "");
  check(out.contains("Message") && out["Message"].is_string());
  return 0;
}
