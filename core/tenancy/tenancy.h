// The console's instances inside the running gateway: admission of a CONNECT (the three
// AccessKey username modes), what an admitted connection may publish and subscribe to, the
// instance's limits, and the translation between client names and internal names
// (namespace.h). The resources and their rules live in resources::Registry; this is the glue
// between it and the core's sessions. Called from the host API on worker threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "resources/registry.h"
#include "router/session.h"
#include "tenancy/instance_runtime.h"

namespace mqgw {
class Connection;
}

namespace mqgw::tenancy {

// An admitted connection of a console instance (Session::tenant).
struct Tenant {
  InstanceRuntime* instance = nullptr;
  resources::AuthMode mode = resources::AuthMode::Signature;
  std::vector<resources::Grant> grants;  // Token mode: what the presented tokens allow
  uint64_t grantsCheckedAt = 0;          // registry generation when last found valid
};

struct Settings {
  bool developmentInstance = true;  // anonymous clients with any Client ID are served
  uint32_t maxTopicLength = 64;
  uint32_t workers = 1;
};

// Once at start-up, before any connection. `registry` may be null (no console configured).
void init(std::unique_ptr<resources::Registry> registry, const Settings& s);
resources::Registry* registry();
const Settings& settings();

// session_open: on MQGW_OK, *key is the session's internal Client ID and *tenant is set for a
// console instance; otherwise *reason says why (static or thread-local text).
int admit(const mqgw_session_params& p, std::string* key,
          std::unique_ptr<Tenant, TenantDeleter>* tenant, const char** reason);

// PUBLISH: authorization, message size, publish rate. On MQGW_OK a console instance's *msg is
// replaced by its internal copy (a new reference the caller releases; the caller's reference to
// the original is untouched).
int checkPublish(Session& s, mqgw_message** msg);
// SUBSCRIBE: authorization and the subscription limit; *internal is the filter to subscribe.
int checkSubscribe(Session& s, std::string_view filter, std::string* internal);
// UNSUBSCRIBE (and the will): the internal name of a client's filter.
std::string internalFilter(const Session& s, std::string_view filter);
// A will about to be kept: nullptr when its topic is not allowed (the will is dropped), else
// msg itself or its internal copy (a new reference).
mqgw_message* internalWill(Session& s, mqgw_message* will);

// Closes every live connection of an instance that became unusable (on each worker).
void closeConnectionsOf(InstanceRuntime* rt);

// A device status event ("connect", "disconnect", "tcpclean") of a console instance's session,
// stored in the instance's storage (status_events.cc). Nothing for the development instance.
void statusEvent(const Session& s, Connection& c, const char* type);

}  // namespace mqgw::tenancy
