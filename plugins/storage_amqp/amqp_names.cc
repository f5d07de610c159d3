#include "amqp_names.h"

#include "topic_filter.h"

namespace mqgw::amqp {
namespace {

using cluster::fnv1aHex;
using cluster::nextLevel;

constexpr std::string_view kPlaceholder = "{instance}";

// The console namespace rule of core/tenancy/namespace.h (plugins do not link core): a console
// instance's topics and filters start with "$i/<InstanceId>/"; prefixLength is 0 without one.
constexpr std::string_view kConsolePrefix = "$i/";

size_t consolePrefixLength(std::string_view s) {
  if (s.substr(0, kConsolePrefix.size()) != kConsolePrefix) return 0;
  size_t end = s.find('/', kConsolePrefix.size());
  return end == std::string_view::npos ? 0 : end + 1;
}

// A topic or filter split into its instance (empty id: the development instance) and the part
// that becomes the routing or binding key.
struct Split {
  bool console = false;
  std::string_view instanceId;
  std::string_view rest;
};

Split splitInstance(std::string_view topic) {
  size_t n = consolePrefixLength(topic);
  if (n == 0) return {false, {}, topic};
  return {true, topic.substr(kConsolePrefix.size(), n - kConsolePrefix.size() - 1),
          topic.substr(n)};
}

bool templateNamesInstance(const Settings& s) {
  return s.exchangeTemplate.find(kPlaceholder) != std::string::npos;
}

// The exchange and the text that is swapped into the key. When the template names no
// {instance}, every instance shares one exchange, so a console topic keeps its "$i/<Id>/" in
// the key: instances stay apart and topicOf can still tell them apart.
bool placeOf(const Settings& s, std::string_view topic, std::string* exchange,
             std::string_view* keyPart) {
  Split split = splitInstance(topic);
  std::string_view instance = split.console ? split.instanceId : std::string_view(s.instance);
  if (instance.empty()) return false;
  *exchange = exchangeOf(s, instance);
  *keyPart = split.console && templateNamesInstance(s) ? split.rest : topic;
  return exchange->size() <= kMaxShortString;
}

bool plainNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

// A group name as it appears in a queue name: kept when it is short and plain; otherwise its
// plain characters (others '_', at most 40) + '~' + its hash. '~' never appears in a kept
// name, so two different groups never share a queue (short of an FNV-1a collision).
std::string safeGroup(std::string_view group) {
  constexpr size_t kMaxKept = 64, kMaxShown = 40;
  bool plain = !group.empty() && group.size() <= kMaxKept;
  for (char c : group) plain = plain && plainNameChar(c);
  if (plain) return std::string(group);
  std::string out;
  for (size_t i = 0; i < group.size() && i < kMaxShown; ++i)
    out += plainNameChar(group[i]) ? group[i] : '_';
  return out + "~" + fnv1aHex(group);
}

}  // namespace

std::string swapSeparators(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = c == '/' ? '.' : c == '.' ? '/' : c;
  return out;
}

std::string exchangeOf(const Settings& s, std::string_view instance) {
  std::string out;
  const std::string& t = s.exchangeTemplate;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, kPlaceholder.size(), kPlaceholder) == 0) {
      out.append(instance);
      i += kPlaceholder.size();
    } else {
      out += t[i++];
    }
  }
  return out;
}

bool routeOf(const Settings& s, std::string_view mqttTopic, Route* out) {
  std::string_view keyPart;
  if (!placeOf(s, mqttTopic, &out->exchange, &keyPart)) return false;
  out->routingKey = swapSeparators(keyPart);
  return out->routingKey.size() <= kMaxShortString;
}

bool bindingOf(const Settings& s, std::string_view mqttFilter, Route* out) {
  std::string_view rest;
  if (!placeOf(s, mqttFilter, &out->exchange, &rest)) return false;
  out->routingKey.clear();
  bool more = true;
  while (more) {
    std::string_view level = nextLevel(&rest, &more);
    if (level == "+")
      out->routingKey += '*';
    else
      out->routingKey += swapSeparators(level);  // "#" stays "#"
    if (more) out->routingKey += '.';
  }
  return out->routingKey.size() <= kMaxShortString;
}

bool topicOf(const Settings& s, std::string_view exchange, std::string_view routingKey,
             std::string* mqttTopic) {
  const std::string& t = s.exchangeTemplate;
  size_t at = t.find(kPlaceholder);
  if (at == std::string::npos) {
    if (exchange != t) return false;
    *mqttTopic = swapSeparators(routingKey);  // console topics carry their prefix in the key
    return true;
  }
  // Only the first {instance} is read back; exchangeOf must then give the same name again.
  std::string_view head(t.data(), at), tail(t.data() + at + kPlaceholder.size(),
                                            t.size() - at - kPlaceholder.size());
  if (exchange.size() < head.size() + tail.size() || !exchange.starts_with(head) ||
      !exchange.ends_with(tail))
    return false;
  std::string_view instance =
      exchange.substr(head.size(), exchange.size() - head.size() - tail.size());
  if (instance.empty() || instance.find('/') != std::string_view::npos ||
      exchangeOf(s, instance) != exchange)
    return false;
  std::string rest = swapSeparators(routingKey);
  if (instance == s.instance) {
    // The development instance never reaches into a console instance's namespace.
    if (rest.starts_with(kConsolePrefix)) return false;
    *mqttTopic = std::move(rest);
  } else {
    mqttTopic->assign(kConsolePrefix).append(instance).append("/").append(rest);
  }
  return true;
}

std::string shareQueueName(const Settings& s, std::string_view group, std::string_view filter) {
  return stateName(s, "share." + safeGroup(group) + "." + fnv1aHex(filter));
}

}  // namespace mqgw::amqp
