#include "kafka_share_topics.h"

#include <cstdint>

namespace mqgw::kafka {
namespace {

constexpr std::string_view kParentRegex = "[A-Za-z0-9._-]+";

// Kafka-safe text holds only [A-Za-z0-9._-]; of those only '.' means something in a regex.
std::string escapeRegex(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '.') out += '\\';
    out += c;
  }
  return out;
}

std::string_view nextLevel(std::string_view* rest, bool* more) {
  size_t slash = rest->find('/');
  std::string_view level = rest->substr(0, slash);
  *more = slash != std::string_view::npos;
  rest->remove_prefix(*more ? slash + 1 : rest->size());
  return level;
}

}  // namespace

std::string fnv1aHex(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  static const char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[i] = kDigits[hash & 0xf];
  return out;
}

std::string shareGroupId(const Settings& s, std::string_view group, std::string_view filter) {
  return "mqgw." + kafkaSafe(s.instance) + ".share." + kafkaSafe(group) + "." +
         fnv1aHex(filter);
}

std::string dataTopicRegex(const Settings& s) {
  std::string out = "^";
  const std::string& t = s.topicTemplate;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 8, "{parent}") == 0) {
      out += kParentRegex;
      i += 8;
    } else if (t.compare(i, 10, "{instance}") == 0) {
      out += escapeRegex(kafkaSafe(s.instance));
      i += 10;
    } else {
      out += escapeRegex(std::string_view(&t[i], 1));
      ++i;
    }
  }
  return out + "$";
}

std::string shareSubscription(const Settings& s, std::string_view filter) {
  std::string_view first = filter.substr(0, filter.find('/'));
  if (first == "+" || first == "#") return dataTopicRegex(s);
  return renderTopic(s, filter);
}

bool topicMatchesFilter(std::string_view filter, std::string_view topic) {
  if (!filter.empty() && (filter[0] == '+' || filter[0] == '#') && !topic.empty() &&
      topic[0] == '$')
    return false;
  bool filterMore = true, topicMore = true;
  while (filterMore) {
    std::string_view f = nextLevel(&filter, &filterMore);
    if (f == "#") return true;  // also "a/#" against "a": the parent level matches
    if (!topicMore) return false;
    std::string_view t = nextLevel(&topic, &topicMore);
    if (f != "+" && f != t) return false;
  }
  return !topicMore;
}

}  // namespace mqgw::kafka
