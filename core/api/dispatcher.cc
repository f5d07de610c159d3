#include "api/dispatcher.h"

#include "common/clock.h"

namespace mqgw::api {
namespace {

constexpr std::string_view kPrefix = "/api/v1/";

Response render(const Outcome& o) {
  if (!o.ok()) return errorResponse(o.error->httpStatus, o.error->code, o.error->message);
  nlohmann::json body = *o.value;
  body["RequestId"] = newRequestId();
  // Replace, never throw, should a stored string not be UTF-8.
  return Response{200, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace

Dispatcher::Dispatcher(resources::Registry& registry, Runtime* runtime, Options options)
    : registry_(registry),
      runtime_(runtime),
      options_(std::move(options)),
      auth_(registry, RequestAuth::Options{.maxSkewSeconds = 300,
                                           .nonceMemorySeconds = 600,
                                           .maxNonces = options_.maxNonces,
                                           .nowSeconds = [this] { return nowMs() / 1000; }}) {
  addInstanceActions(actions_);
  addTopicGroupActions(actions_);
  addAccessActions(actions_);
  addRuntimeActions(actions_);
}

int64_t Dispatcher::nowMs() const {
  return options_.wallMs ? options_.wallMs() : static_cast<int64_t>(clock::wallMs());
}

void Dispatcher::handle(const Request& request, Reply reply) {
  if (request.method != "POST")
    return reply(errorResponse(405, "MethodNotAllowed", "the management API takes POST only"));
  if (!request.path.starts_with(kPrefix))
    return reply(errorResponse(404, "InvalidAction", "actions are under /api/v1/"));
  auto caller = auth_.verify(request);
  if (!caller.ok()) return reply(render(failed(*caller.error)));
  std::string name = request.path.substr(kPrefix.size());
  auto action = actions_.find(name);
  if (action == actions_.end())
    return reply(errorResponse(404, "InvalidAction", "no action named \"" + name + "\""));
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return reply(errorResponse(400, "InvalidParameter.Body", "the body must be a JSON object"));
  Params params(body);
  ActionContext context{*caller.value, params, registry_, runtime_, nowMs()};
  action->second(context, [reply = std::move(reply)](Outcome o) { reply(render(o)); });
}

}  // namespace mqgw::api
