#include "kafka_share_topics.h"

#include "topic_filter.h"

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

}  // namespace

std::string shareGroupId(const Settings& s, std::string_view group, std::string_view filter) {
  return "mqgw." + kafkaSafe(s.instance) + ".share." + kafkaSafe(group) + "." +
         cluster::fnv1aHex(filter);
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

}  // namespace mqgw::kafka
