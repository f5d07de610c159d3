#include "topic_filter.h"

#include <cstdint>

namespace mqgw::cluster {

std::string_view nextLevel(std::string_view* rest, bool* more) {
  size_t slash = rest->find('/');
  std::string_view level = rest->substr(0, slash);
  *more = slash != std::string_view::npos;
  rest->remove_prefix(*more ? slash + 1 : rest->size());
  return level;
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

}  // namespace mqgw::cluster
