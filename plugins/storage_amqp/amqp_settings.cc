#include "amqp_settings.h"

#include <amqp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <vector>

namespace mqgw::amqp {
namespace {

constexpr size_t kMaxName = 255;  // AMQP short strings: exchange and queue names
constexpr std::string_view kInstance = "{instance}";
// the longest name the backend appends to statePrefix ("share.<group>.<hash>" is checked by
// amqp_names when it is made)
constexpr std::string_view kLongestStateName = "control";

template <typename T>
bool parseNumber(std::string_view key, const std::string& text, T min, T* out,
                 std::string* why) {
  T v{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min) {
    *why = std::string(key) + ": expected a number >= " + std::to_string(min) + ", got '" +
           text + "'";
    return false;
  }
  *out = v;
  return true;
}

// {instance} is the only placeholder; anything else in braces is a typo worth refusing.
bool knownPlaceholders(std::string_view key, const std::string& tmpl, std::string* why) {
  for (size_t open = tmpl.find('{'); open != std::string::npos; open = tmpl.find('{', open + 1)) {
    if (tmpl.compare(open, kInstance.size(), kInstance) != 0) {
      *why = std::string(key) + " '" + tmpl + "': only {instance} may be substituted";
      return false;
    }
  }
  if (tmpl.find('}') != std::string::npos &&
      std::count(tmpl.begin(), tmpl.end(), '}') != std::count(tmpl.begin(), tmpl.end(), '{')) {
    *why = std::string(key) + " '" + tmpl + "': unbalanced '}'";
    return false;
  }
  return true;
}

std::string substitute(const std::string& tmpl, std::string_view instance) {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl.compare(i, kInstance.size(), kInstance) == 0) {
      out.append(instance);
      i += kInstance.size();
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

// RabbitMQ refuses to declare queues named "amq.*" (403 ACCESS_REFUSED). Exchanges may be
// (amq.topic, RabbitMQ MQTT's own): the publisher declares those passively.
bool usableName(std::string_view key, const std::string& name, std::string* why) {
  if (name.rfind("amq.", 0) == 0) {
    *why = std::string(key) + " makes '" + name + "': names starting 'amq.' are RabbitMQ's own";
    return false;
  }
  if (name.size() > kMaxName) {
    *why = std::string(key) + " makes a name longer than 255 bytes";
    return false;
  }
  return true;
}

// The query of an amqp:// URL: heartbeat (seconds) and connection_timeout (ms), as other
// RabbitMQ clients name them. amqp_parse_url does not read queries.
bool parseQuery(std::string_view query, Endpoint* e, std::string* why) {
  while (!query.empty()) {
    std::string_view item = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), item.size() + 1));
    size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    std::string value(eq == std::string_view::npos ? "" : item.substr(eq + 1));
    if (name == "heartbeat") {
      if (!parseNumber("url heartbeat", value, 0, &e->heartbeatS, why)) return false;
    } else if (name == "connection_timeout") {
      if (!parseNumber("url connection_timeout", value, 1, &e->connectTimeoutMs, why)) return false;
    } else {
      *why = "url: unknown query parameter '" + std::string(name) +
             "' (heartbeat and connection_timeout are known)";
      return false;
    }
  }
  return true;
}

bool parseUrl(const std::string& url, Endpoint* e, std::string* why) {
  size_t q = url.find('?');
  std::string base = url.substr(0, q);
  if (q != std::string::npos && !parseQuery(std::string_view(url).substr(q + 1), e, why))
    return false;
  std::vector<char> buffer(base.begin(), base.end());  // amqp_parse_url writes into it
  buffer.push_back('\0');
  amqp_connection_info info{};
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    *why = "url '" + redactedUrl(url) + "' is not an amqp://user:password@host:port/vhost URL";
    return false;
  }
  if (info.ssl) {
    *why = "url '" + redactedUrl(url) + "': amqps:// (TLS) is not supported yet";
    return false;
  }
  e->host = info.host;
  e->port = info.port;
  e->user = info.user;
  e->password = info.password;
  // "amqp://host/" names the empty vhost by the letter of the spec, but every RabbitMQ tool
  // prints its default URL that way and means "/": only %2F-less, empty paths become "/".
  e->vhost = info.vhost && *info.vhost ? info.vhost : "/";
  return true;
}

}  // namespace

bool parseSettings(const mqgw_kv* cfg, size_t n, Settings* out, std::string* why) {
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = cfg[i].key ? cfg[i].key : "";
    std::string value = cfg[i].value ? cfg[i].value : "";
    bool ok = true;
    if (key == "url") out->url = value;
    else if (key == "instance") out->instance = value;
    else if (key == "exchange") out->exchangeTemplate = value;
    else if (key == "state_prefix") out->statePrefix = value;
    else if (key == "node_id") out->nodeId = value;
    else if (key == "prefetch") ok = parseNumber(key, value, 1u, &out->prefetch, why);
    else if (key == "max_pending") ok = parseNumber(key, value, 1u, &out->maxPending, why);
    else if (key == "reconnect_min") ok = parseNumber(key, value, 1, &out->reconnectMinMs, why);
    else if (key == "reconnect_max") ok = parseNumber(key, value, 1, &out->reconnectMaxMs, why);
    else if (key == "claim_timeout") ok = parseNumber(key, value, 1, &out->claimTimeoutMs, why);
    else if (key == "log_max_bytes")
      ok = parseNumber(key, value, int64_t{0}, &out->logMaxBytes, why);
    if (!ok) return false;
  }
  if (out->url.empty()) {
    *why = "url is empty (amqp://user:password@host:port/vhost)";
    return false;
  }
  if (!parseUrl(out->url, &out->endpoint, why)) return false;
  if (out->instance.empty()) {
    *why = "instance is empty";
    return false;
  }
  if (out->reconnectMinMs > out->reconnectMaxMs) {
    *why = "reconnect_min (" + std::to_string(out->reconnectMinMs) + " ms) is above reconnect_max (" +
           std::to_string(out->reconnectMaxMs) + " ms)";
    return false;
  }
  if (!knownPlaceholders("exchange", out->exchangeTemplate, why) ||
      !knownPlaceholders("state_prefix", out->statePrefix, why))
    return false;
  std::string exchange = substitute(out->exchangeTemplate, out->instance);
  if (exchange.empty() || exchange.size() > kMaxName) {
    *why = "exchange '" + out->exchangeTemplate + "' makes an empty or over-long name";
    return false;
  }
  if (!usableName("state_prefix", stateName(*out, kLongestStateName), why)) return false;
  if (out->nodeId.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    out->nodeId = host;
  }
  return true;
}

std::string redactedUrl(std::string_view url) {
  size_t scheme = url.find("://");
  size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?", from);
  std::string_view authority = url.substr(from, end == std::string_view::npos ? url.npos : end - from);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, from + colon + 1));
  out += "***";
  out.append(url.substr(from + at));
  return out;
}

std::string stateName(const Settings& s, std::string_view name) {
  return substitute(s.statePrefix, s.instance).append(name);
}

int backoffMs(const Settings& s, int attempt) {
  const int64_t cap = std::max(1, s.reconnectMaxMs);
  int64_t delay = std::clamp<int64_t>(s.reconnectMinMs, 1, cap);
  for (int i = 0; i < attempt && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  thread_local std::minstd_rand rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return std::max(1, static_cast<int>(static_cast<double>(delay) * jitter(rng)));
}

}  // namespace mqgw::amqp
