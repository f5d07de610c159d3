#include "router/topic_rules.h"

namespace mqgw::router {
namespace {

constexpr std::string_view kSharePrefix = "$share/";

bool lengthOk(std::string_view s) { return !s.empty() && s.size() <= kMaxTopicLength; }

}  // namespace

bool validTopicName(std::string_view topic) {
  return lengthOk(topic) && topic.find_first_of(std::string_view("+#\0", 3)) == topic.npos;
}

bool validTopicFilter(std::string_view filter) {
  if (!lengthOk(filter)) return false;
  for (size_t i = 0; i < filter.size(); ++i) {
    char c = filter[i];
    if (c == '\0') return false;
    if (c != '+' && c != '#') continue;
    bool startsLevel = i == 0 || filter[i - 1] == '/';
    bool endsLevel = i + 1 == filter.size() || filter[i + 1] == '/';
    if (!startsLevel || !endsLevel) return false;
    if (c == '#' && i + 1 != filter.size()) return false;
  }
  return true;
}

bool isShared(std::string_view filter) { return filter.starts_with(kSharePrefix); }

std::optional<SharedFilter> parseShared(std::string_view text) {
  if (!isShared(text) || text.size() > kMaxTopicLength) return std::nullopt;
  std::string_view rest = text.substr(kSharePrefix.size());
  size_t slash = rest.find('/');
  if (slash == rest.npos) return std::nullopt;
  std::string_view group = rest.substr(0, slash), filter = rest.substr(slash + 1);
  if (group.empty() || group.find_first_of(std::string_view("+#\0", 3)) != group.npos)
    return std::nullopt;
  if (!validTopicFilter(filter)) return std::nullopt;
  return SharedFilter{group, filter};
}

}  // namespace mqgw::router
