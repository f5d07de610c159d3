// The management API: `POST /api/v1/<Action>` with a signed JSON body in, a JSON object out
// (always with RequestId; errors {RequestId, Code, Message}). Checks the signature
// (request_auth.h), parses and type-checks the body, runs the action against the Registry or
// the Runtime (actions_*.cc). Called on the admin server's loop; replies may come from any
// thread (SendMessage).
#pragma once

#include <cstdint>
#include <functional>

#include "api/actions.h"
#include "api/http_types.h"
#include "api/request_auth.h"
#include "api/runtime.h"
#include "resources/registry.h"

namespace mqgw::api {

struct DispatcherOptions {
  std::function<int64_t()> wallMs;  // null = the system clock; tests move time
  size_t maxNonces = 100000;
};

class Dispatcher : public Handler {
 public:
  using Options = DispatcherOptions;

  // `runtime` may be null: the runtime actions then answer 503 RuntimeUnavailable.
  Dispatcher(resources::Registry& registry, Runtime* runtime, Options options = {});

  void handle(const Request& request, Reply reply) override;

 private:
  int64_t nowMs() const;

  resources::Registry& registry_;
  Runtime* runtime_;
  Options options_;
  RequestAuth auth_;
  ActionTable actions_;
};

}  // namespace mqgw::api
