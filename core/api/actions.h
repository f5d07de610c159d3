// The management API's actions, registered by resource group into the Dispatcher's table
// (actions_*.cc). Internal to mqgw_api.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "api/params.h"
#include "api/render.h"
#include "api/runtime.h"
#include "resources/registry.h"

namespace mqgw::api {

// The action's response fields (RequestId is added by the dispatcher), or an error.
using Outcome = resources::Result<nlohmann::json>;
using OutcomeDone = std::function<void(Outcome)>;

// Lives only during the action's call: an asynchronous action copies what it keeps.
struct ActionContext {
  const resources::Caller& caller;
  Params& params;
  resources::Registry& registry;
  Runtime* runtime;  // null when the gateway offers none (the runtime actions answer 503)
  int64_t nowMs;     // wall clock
};

// Calls `done` exactly once, maybe later and on another thread.
using Action = std::function<void(ActionContext&, OutcomeDone)>;
using ActionTable = std::unordered_map<std::string, Action>;

void addInstanceActions(ActionTable& table);
void addTopicGroupActions(ActionTable& table);
void addAccessActions(ActionTable& table);
void addRuntimeActions(ActionTable& table);

inline Outcome failed(const resources::Error& e) {
  Outcome o;
  o.error = e;
  return o;
}

inline Outcome succeeded(nlohmann::json fields = nlohmann::json::object()) {
  Outcome o;
  o.value = std::move(fields);
  return o;
}

// {key: toJson(value)} or the registry's error.
template <class T>
Outcome single(const resources::Result<T>& r, const char* key) {
  if (!r.ok()) return failed(*r.error);
  return succeeded({{key, toJson(*r.value)}});
}

template <class T>
Outcome list(const resources::Result<std::vector<T>>& r, const char* key) {
  if (!r.ok()) return failed(*r.error);
  return succeeded({{key, toJsonArray(*r.value)}});
}

inline Outcome nothing(const resources::Result<resources::Done>& r) {
  return r.ok() ? succeeded() : failed(*r.error);
}

// The first bad field of the request, as an Outcome (check before calling the registry).
#define MQGW_API_CHECK_PARAMS(c) \
  if ((c).params.error()) return failed(*(c).params.error())

// A synchronous action: its outcome is ready when it returns.
template <class F>
Action sync(F f) {
  return [f](ActionContext& c, OutcomeDone done) { done(f(c)); };
}

}  // namespace mqgw::api
