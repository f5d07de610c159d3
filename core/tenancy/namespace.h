// How instances stay apart inside one gateway: the topics, filters and Client IDs of a console
// instance are stored and routed with the prefix "$i/<InstanceId>/". The topic tree, retained
// store, sessions, shared groups and storage backends then keep instances apart without knowing
// about them; clients never see the prefix (message_client_topic, session_client_id strip it).
// A '$' first level is out of reach of the development instance's wildcards (MQTT 4.7.2), and
// the core refuses that instance any topic, filter or Client ID starting with the prefix.
// Why a prefix and not a tree per instance: docs/decisions/0006-console-instances.md.
#pragma once

#include <string>
#include <string_view>

namespace mqgw::tenancy {

inline constexpr std::string_view kPrefixStart = "$i/";

inline std::string prefixOf(std::string_view instanceId) {
  std::string p(kPrefixStart);
  p.append(instanceId).push_back('/');
  return p;
}

// Length of a leading "$i/<id>/" (0 when there is none).
inline size_t prefixLength(std::string_view s) {
  if (s.substr(0, kPrefixStart.size()) != kPrefixStart) return 0;
  size_t end = s.find('/', kPrefixStart.size());
  return end == std::string_view::npos ? 0 : end + 1;
}

// What a client sees of an internal topic or Client ID.
inline std::string_view clientView(std::string_view s) { return s.substr(prefixLength(s)); }

// The instance ID of an internal name, empty for the development instance.
inline std::string_view instanceOf(std::string_view s) {
  size_t n = prefixLength(s);
  return n ? s.substr(kPrefixStart.size(), n - kPrefixStart.size() - 1) : std::string_view{};
}

// "$share/<group>/<filter>" → the filter part; other filters unchanged.
inline std::string_view shareFilterPart(std::string_view filter) {
  constexpr std::string_view kShare = "$share/";
  if (filter.substr(0, kShare.size()) != kShare) return filter;
  size_t slash = filter.find('/', kShare.size());
  return slash == std::string_view::npos ? std::string_view{} : filter.substr(slash + 1);
}

// A development-instance name that would reach into console instances.
inline bool reservedName(std::string_view topicFilterOrId) {
  return topicFilterOrId.substr(0, kPrefixStart.size()) == kPrefixStart ||
         shareFilterPart(topicFilterOrId).substr(0, kPrefixStart.size()) == kPrefixStart;
}

// Puts `prefix` in front of a filter, after "$share/<group>/" when shared.
inline std::string qualifyFilter(std::string_view prefix, std::string_view filter) {
  std::string_view part = shareFilterPart(filter);
  std::string out;
  out.reserve(prefix.size() + filter.size());
  out.append(filter.substr(0, filter.size() - part.size())).append(prefix).append(part);
  return out;
}

}  // namespace mqgw::tenancy
