// Which topics and filters a device of an instance may use (pure functions, no state):
//   - a topic name's first level is a parent topic of the instance; every level is 1+ of
//     [A-Za-z0-9_-]; the whole name is 3..maxLength characters;
//   - a filter is the same with '+' and '#' allowed after the parent topic level;
//   - P2P: "<parent>/p2p/<ClientID>" addresses one client of the same instance;
//   - a token grant covers a topic (publish) or a filter (subscribe) when its filter does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/catalog.h"
#include "resources/registry.h"

namespace mqgw::resources {

// An empty string when allowed, else why not (for logs and Reason Strings).
std::string checkTopicName(const InstanceView& v, std::string_view topic, uint32_t maxLength);
std::string checkTopicFilter(const InstanceView& v, std::string_view filter, uint32_t maxLength);

// The target Client ID of a P2P topic ("<parent>/p2p/<ClientID>", nothing after it).
std::optional<std::string_view> p2pTarget(std::string_view topic);

// Whether `grants` (unexpired at nowMs) allow publishing to `topic` (action kWrite: some grant
// filter matches the name) or subscribing to `filter` (kRead: some grant filter covers every
// topic the filter can match).
bool grantsAllow(const std::vector<Grant>& grants, std::string_view topicOrFilter,
                 uint8_t action, int64_t nowMs);

// Rules shared with the management API.
bool validParentTopic(std::string_view name);   // 3..64 of [A-Za-z0-9_-]
bool validGroupId(std::string_view name);       // GID_/GID- prefix, 7..64 of [A-Za-z0-9_-]
// Splits "<GroupID>@@@<DeviceID>"; nullopt when the shape or the characters are wrong.
std::optional<std::pair<std::string_view, std::string_view>> splitClientId(std::string_view id);

}  // namespace mqgw::resources
