// Fuzzes CONNECT admission and the topic rules against a real Registry (SQLite in a temp dir).
// Input: clientId \0 username \0 password \0 topic \0 grant filters (comma-separated); the
// password is present when the input has a second \0. Secrets are random per run, so seeds
// name them by placeholder: $AK $DK $INST in the username, $SIG $DEV $TOK in the password.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/clock.h"
#include "resources/crypto.h"
#include "resources/registry.h"
#include "resources/topic_policy.h"

namespace {

using namespace mqgw::resources;

void check(bool ok) { ok ? void() : __builtin_trap(); }
template <class T>
T must(Result<T> r) { return check(r.ok()), std::move(*r.value); }

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

struct World {  // the registry, and the ids and secrets the seeds' placeholders stand for
  std::string dir, akId, akSecret, dkId, dkSecret, token, instance;
  std::unique_ptr<Registry> registry;
  int64_t nowMs = static_cast<int64_t>(mqgw::clock::wallMs());
  ~World() { registry.reset(), std::filesystem::remove_all(dir); }
};

// Opened once: the main account, an instance bound to a "memory" storage instance with the
// topic demo_topic and the group GID_demo, a token and a device credential.
World& world() {
  static World x;
  if (x.registry) return x;
  char tmpl[] = "/tmp/mqgw-admission-fuzz-XXXXXX";
  check(mkdtemp(tmpl) != nullptr);
  x.dir = tmpl;
  Registry::Options o;
  o.dbPath = x.dir + "/registry.db", o.bootstrapCredentialsFile = x.dir + "/root-credentials";
  o.servedKinds = {"memory"};
  std::string error;
  check((x.registry = Registry::open(o, &error)) != nullptr);
  std::ifstream profile(o.bootstrapCredentialsFile);
  for (std::string line; std::getline(profile, line);) {
    if (line.starts_with("access_key_id = ")) x.akId = line.substr(16);
    if (line.starts_with("access_key_secret = ")) x.akSecret = line.substr(20);
  }
  Caller main = x.registry->findAccessKey(x.akId).value().first;  // throws: a harness bug
  Registry& r = *x.registry;
  x.instance = must(r.createInstance(main, {"fuzz", "", NamespaceType::Dedicated, {}})).id;
  Registry::StorageRequest store{"store", "memory", NamespaceType::Dedicated, {}};
  must(r.bind(main, x.instance, must(r.createStorage(main, store)).id));
  must(r.createTopic(main, x.instance, "demo_topic", MessageType::Normal, ""));
  must(r.createGroup(main, x.instance, "GID_demo"));
  x.token = must(r.applyToken(main, x.instance, {"demo_topic/#"}, kRead | kWrite,
                              x.nowMs + 86'400'000)).value;
  auto cred = must(r.registerCredential(main, x.instance, "GID_demo@@@dev-1"));
  x.dkId = cred.deviceAccessKeyId, x.dkSecret = cred.deviceAccessKeySecret;
  return x;
}

// What the topic rules keep whatever the input.
void checkTopicRules(const InstanceView& v, const std::string& topic, const Grant& fuzzed,
                     int64_t now) {
  bool name = checkTopicName(v, topic, 128).empty();
  if (name) check(checkTopicFilter(v, topic, 128).empty());
  if (auto target = p2pTarget(topic)) check(!target->empty() && topic.ends_with(*target));
  check(!grantsAllow({}, topic, kRead | kWrite, now));
  Grant all{"t", {"#"}, kRead | kWrite, now + 1}, exact{"t", {topic}, kRead | kWrite, now + 1};
  check(grantsAllow({all}, topic, kRead | kWrite, now));
  if (name) check(grantsAllow({exact}, topic, kRead | kWrite, now));
  all.expireMs = now;
  check(!grantsAllow({all}, topic, kRead, now) && !grantsAllow({all}, topic, kWrite, now));
  check(grantsAllow({fuzzed}, topic, kRead | kWrite, now) ==
        (grantsAllow({fuzzed}, topic, kRead, now) && grantsAllow({fuzzed}, topic, kWrite, now)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = world();
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> f(5);  // the last field read keeps any further \0
  size_t start = 0, n = 0;
  for (size_t at; n < 4 && (at = input.find('\0', start)) != input.npos; start = at + 1)
    f[n++] = input.substr(start, at - start);
  f[n] = input.substr(start);
  using mqgw::crypto::devicePassword;
  for (auto [i, from, to] : {std::tuple{1, "$AK", w.akId}, {1, "$DK", w.dkId},
                             {1, "$INST", w.instance}, {2, "$TOK", w.token},
                             {2, "$SIG", devicePassword(w.akSecret, f[0])},
                             {2, "$DEV", devicePassword(w.dkSecret, f[0])}})
    replaceAll(f[i], from, to);
  Admission a = w.registry->admit({f[0], f[1], f[2], /*hasPassword=*/n >= 2, w.nowMs});
  if (a.refusal == Refusal::None) {
    check(a.view && a.reason.empty() && !a.accountId.empty());
    check(a.view->instance.status == InstanceStatus::Ready);
    check(a.grants.empty() == (a.mode != AuthMode::Token));
  } else {
    check(!a.view && !a.reason.empty());
    // A reason may echo what the device sent, never a secret it did not send.
    for (const std::string* secret : {&w.akSecret, &w.dkSecret, &w.token})
      check(a.reason.find(*secret) == input.npos || input.find(*secret) != input.npos);
  }
  if (auto parts = splitClientId(f[0]))
    check(std::string(parts->first) + "@@@" + std::string(parts->second) == f[0]);
  Grant fuzzed{"fuzz", {}, static_cast<uint8_t>(f[4].size() & 3), w.nowMs + 1};
  std::istringstream filters(f[4]);
  for (std::string filter; std::getline(filters, filter, ',');) fuzzed.resources.push_back(filter);
  InstanceViewPtr v = a.view ? a.view : w.registry->view(w.instance);  // never null
  checkTopicRules(*v, f[3], fuzzed, w.nowMs);
  return 0;
}
