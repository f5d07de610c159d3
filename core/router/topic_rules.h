// MQTT topic name and topic filter syntax (MQTT 5.0 §4.7), and shared-subscription filters
// (§4.8.2). Pure functions over bytes: UTF-8 well-formedness is the codec's job.
#pragma once

#include <optional>
#include <string_view>

namespace mqgw::router {

inline constexpr size_t kMaxTopicLength = 65535;

// Non-empty, at most 65535 bytes, no '+', '#' or NUL.
bool validTopicName(std::string_view topic);

// Non-empty, at most 65535 bytes, no NUL; '+' only as a whole level, '#' only as the whole last
// level. "$share/g/x" is also a valid plain filter: use isShared() first to tell them apart.
bool validTopicFilter(std::string_view filter);

// True when `filter` asks for a shared subscription (starts with "$share/").
bool isShared(std::string_view filter);

struct SharedFilter {
  std::string_view group;   // views into the string given to parseShared
  std::string_view filter;
};

// "$share/<group>/<filter>" with a non-empty group free of '+', '#' and NUL and a valid filter;
// nullopt when the text is not such a filter (a malformed shared filter included).
std::optional<SharedFilter> parseShared(std::string_view text);

}  // namespace mqgw::router
