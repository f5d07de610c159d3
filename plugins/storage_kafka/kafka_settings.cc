#include "kafka_settings.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace mqgw::kafka {
namespace {

constexpr std::string_view kRdkafkaPrefix = "rdkafka.";
constexpr size_t kMaxTopicName = 249;  // Kafka's own limit

bool knownPlaceholders(const std::string& tmpl, std::string* why) {
  for (size_t open = tmpl.find('{'); open != std::string::npos; open = tmpl.find('{', open + 1)) {
    size_t close = tmpl.find('}', open);
    std::string_view name =
        close == std::string::npos ? "" : std::string_view(tmpl).substr(open, close - open + 1);
    if (name != "{parent}" && name != "{instance}") {
      *why = "topic_template '" + tmpl + "': only {parent} and {instance} may be substituted";
      return false;
    }
  }
  return true;
}

std::string_view firstLevel(std::string_view topic) { return topic.substr(0, topic.find('/')); }

}  // namespace

bool parseSettings(const mqgw_kv* cfg, size_t n, Settings* out, std::string* why) {
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = cfg[i].key;
    std::string value = cfg[i].value ? cfg[i].value : "";
    if (key == "bootstrap_servers") out->bootstrapServers = value;
    else if (key == "topic_template") out->topicTemplate = value;
    else if (key == "instance") out->instance = value;
    else if (key == "key_level") out->keyLevel = std::atoi(value.c_str());
    else if (key == "node_id") out->nodeId = value;
    else if (key == "state_prefix") out->statePrefix = value;
    else if (key == "topic_partitions") out->topicPartitions = std::atoi(value.c_str());
    else if (key == "replication_factor") out->replicationFactor = std::atoi(value.c_str());
    else if (key == "discovery_interval") out->discoveryIntervalMs = std::atoi(value.c_str());
    else if (key == "claim_timeout") out->claimTimeoutMs = std::atoi(value.c_str());
    else if (key == "key")
      out->key = value == "client_id" ? KeyMode::kClientId
                 : value == "level"   ? KeyMode::kLevel
                                      : KeyMode::kTopic;
    else if (key.substr(0, kRdkafkaPrefix.size()) == kRdkafkaPrefix)
      out->rdkafka.emplace_back(std::string(key.substr(kRdkafkaPrefix.size())), value);
  }
  if (out->bootstrapServers.empty()) {
    *why = "bootstrap_servers is empty";
    return false;
  }
  if (!knownPlaceholders(out->topicTemplate, why)) return false;
  // The literal parts must be valid too: render with a safe parent and look.
  std::string sample = renderTopic(*out, "x");
  if (sample.empty() || kafkaSafe(sample) != sample) {
    *why = "topic_template '" + out->topicTemplate + "' does not make a valid Kafka topic name";
    return false;
  }
  if (out->nodeId.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    out->nodeId = host;
  }
  for (const char* name : {"sessions", "retained", "control", "metadata"}) {
    std::string topic = stateTopic(*out, name);
    if (kafkaSafe(topic) != topic || topic.size() > kMaxTopicName) {
      *why = "state_prefix '" + out->statePrefix + "' does not make a valid Kafka topic name";
      return false;
    }
    if (isDataTopic(*out, topic)) {
      *why = "state topic '" + topic + "' would also match topic_template '" +
             out->topicTemplate + "': choose a state_prefix the template cannot make";
      return false;
    }
  }
  return true;
}

std::string stateTopic(const Settings& s, std::string_view name) {
  std::string out;
  const std::string& p = s.statePrefix;
  for (size_t i = 0; i < p.size();) {
    if (p.compare(i, 10, "{instance}") == 0) {
      out += kafkaSafe(s.instance);
      i += 10;
    } else {
      out += p[i++];
    }
  }
  return out.append(name);
}

bool isDataTopic(const Settings& s, std::string_view topic) {
  // The template split at {parent}: literal pieces must match in order, and each {parent}
  // takes at least one character (kafkaSafe never yields an empty level).
  std::vector<std::string> pieces{""};
  const std::string& t = s.topicTemplate;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 8, "{parent}") == 0) {
      pieces.emplace_back();
      i += 8;
    } else if (t.compare(i, 10, "{instance}") == 0) {
      pieces.back() += kafkaSafe(s.instance);
      i += 10;
    } else {
      pieces.back() += t[i++];
    }
  }
  if (kafkaSafe(topic) != topic) return false;
  if (pieces.size() == 1) return topic == pieces[0];
  if (topic.substr(0, pieces[0].size()) != pieces[0]) return false;
  size_t at = pieces[0].size();
  for (size_t k = 1; k < pieces.size(); ++k) {
    const std::string& lit = pieces[k];
    if (k + 1 == pieces.size()) {  // the last piece ends the name
      return topic.size() >= at + 1 + lit.size() &&
             topic.substr(topic.size() - lit.size()) == lit;
    }
    size_t found = lit.empty() ? at + 1 : topic.find(lit, at + 1);
    if (found == std::string_view::npos) return false;
    at = found + lit.size();
  }
  return true;
}

std::string kafkaSafe(std::string_view text) {
  if (text.empty()) return "_";
  std::string out(text);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

// {parent} of a message: its first level — for a console instance's message, whose internal
// topic is "$i/<InstanceId>/<parent>/...", "<InstanceId>.<parent>" so that every instance
// keeps its own Kafka topics.
static std::string parentOf(std::string_view mqttTopic) {
  constexpr std::string_view kInstance = "$i/";
  if (mqttTopic.substr(0, kInstance.size()) != kInstance) return kafkaSafe(firstLevel(mqttTopic));
  std::string_view rest = mqttTopic.substr(kInstance.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return kafkaSafe(firstLevel(mqttTopic));
  return kafkaSafe(rest.substr(0, slash)) + "." + kafkaSafe(firstLevel(rest.substr(slash + 1)));
}

std::string renderTopic(const Settings& s, std::string_view mqttTopic) {
  std::string out;
  const std::string& t = s.topicTemplate;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 8, "{parent}") == 0) {
      out += parentOf(mqttTopic);
      i += 8;
    } else if (t.compare(i, 10, "{instance}") == 0) {
      out += kafkaSafe(s.instance);
      i += 10;
    } else {
      out += t[i++];
    }
  }
  if (out.empty() || out.size() > kMaxTopicName || out == "." || out == "..") return {};
  return out;
}

std::string_view recordKey(const Settings& s, std::string_view mqttTopic,
                           std::string_view clientId) {
  if (s.key == KeyMode::kClientId) return clientId;
  if (s.key == KeyMode::kTopic) return mqttTopic;
  std::string_view rest = mqttTopic;
  for (int level = 0; level < s.keyLevel; ++level) {
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return mqttTopic;
    rest.remove_prefix(slash + 1);
  }
  return firstLevel(rest);
}

}  // namespace mqgw::kafka
