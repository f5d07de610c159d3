// Converts between the codec's PUBLISH and the core's message view, both ways, without
// allocating on the hot path (callers pass reused scratch storage).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "mqtt/mqtt_codec.h"

namespace mqgw::mqttfe {

// A view of an inbound PUBLISH (or a will); views point into `p`, and user properties into
// `props`, so both must outlive the returned view (message_create copies everything).
mqgw_message_view viewOfPublish(const mqtt::Publish& p, std::string_view publisherId,
                                std::vector<mqgw_user_prop>& props);
mqgw_message_view viewOfWill(const mqtt::Will& w, std::string_view publisherId,
                             std::vector<mqgw_user_prop>& props);

// Fills a PUBLISH for delivery, with one Subscription Identifier property per id. Only the
// fields set here are ever set on `out` (the Topic Alias by applyTopicAlias), so one
// thread-local Publish can be reused for every delivery. Returns false when the message's
// expiry interval has already passed (it must not be delivered). `topic` is the name the client
// sees (clientTopic), not the view's.
bool publishOfView(const mqgw_message_view& v, mqgw_str topic, uint8_t qos, bool retain,
                   std::span<const uint32_t> subscriptionIds, uint64_t nowWallMs,
                   mqtt::Publish& out);

}  // namespace mqgw::mqttfe
