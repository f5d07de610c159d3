// A registry on a fresh temporary directory, its bootstrap main account as the caller, and
// helpers to build a ready instance (bound, with a topic and a group).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "resources/crypto.h"
#include "resources/registry.h"

namespace mqgw::resources::testing {

// The value of an ok Result; a test failure (and an exception gtest reports) otherwise.
template <class T>
T must(Result<T> r) {
  if (!r.ok()) {
    ADD_FAILURE() << r.error->code << ": " << r.error->message;
    throw std::runtime_error("unexpected error " + r.error->code);
  }
  return std::move(*r.value);
}

// The error code of a Result, "" when it is ok.
template <class T>
std::string codeOf(const Result<T>& r) {
  return r.ok() ? "" : r.error->code;
}
template <class T>
int statusOf(const Result<T>& r) {
  return r.ok() ? 200 : r.error->httpStatus;
}

inline std::map<std::string, std::string> readProfile(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find(" = ");
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mqgw-resources-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    reopen();
  }
  void TearDown() override {
    registry_.reset();
    std::filesystem::remove_all(dir_);
  }

  Registry::Options options() const {
    Registry::Options o;
    o.dbPath = dir_ + "/meta/registry.db";
    o.region = "test-region";
    o.servedKinds = {"native", "memory"};
    o.bootstrapCredentialsFile = credentialsPath();
    o.bootstrapEndpoint = "http://127.0.0.1:19090";
    return o;
  }
  std::string credentialsPath() const { return dir_ + "/conf/root-credentials"; }

  void reopen() {
    registry_.reset();
    std::string error;
    registry_ = Registry::open(options(), &error);
    ASSERT_TRUE(registry_) << error;
    auto profile = readProfile(credentialsPath());
    mainKeyId_ = profile["access_key_id"];
    mainSecret_ = profile["access_key_secret"];
    auto found = registry_->findAccessKey(mainKeyId_);
    ASSERT_TRUE(found.has_value()) << "bootstrap key " << mainKeyId_ << " unknown";
    main_ = found->first;
  }

  // A sub-account with one AccessKey: its caller identity and its secret.
  std::pair<Caller, std::string> subAccount(const std::string& name) {
    Account a = must(registry_->createSubAccount(main_, name));
    AccessKey k = must(registry_->createAccessKey(main_, a.id));
    return {Caller{a.id, AccountKind::Sub, k.id}, k.secret};
  }

  // An instance bound to a new storage instance, with parent topic "demo_topic" and the group
  // "GID_demo" owned by `owner` (the main account by default).
  std::string readyInstance(const Caller* owner = nullptr) {
    Instance i = must(registry_->createInstance(main_, {"test instance", "", {}, {}}));
    Registry::StorageRequest sr;
    sr.name = "store for " + i.id;
    sr.kind = "native";
    StorageInstance s = must(registry_->createStorage(main_, sr));
    must(registry_->bind(main_, i.id, s.id));
    must(registry_->createTopic(main_, i.id, "demo_topic", MessageType::Normal, ""));
    must(registry_->createGroup(owner ? *owner : main_, i.id, "GID_demo"));
    return i.id;
  }

  std::string dir_;
  std::unique_ptr<Registry> registry_;
  Caller main_;
  std::string mainKeyId_, mainSecret_;
};

}  // namespace mqgw::resources::testing
