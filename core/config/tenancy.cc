// `tenancy:` — the console's settings (config.h Tenancy).
#include "config/loader_parts.h"

namespace mqgw::config::detail {
namespace {

bool readBool(Reader& r, const YAML::Node& v, const std::string& p, bool* out) {
  std::string text;
  if (!r.scalar(v, p, "true or false", &text)) return false;
  if (text == "true" || text == "yes" || text == "on") return *out = true, true;
  if (text == "false" || text == "no" || text == "off") return *out = false, true;
  return r.fail(v, p, "'" + text + "' is not true or false");
}

bool readHost(Reader& r, const YAML::Node& v, const std::string& p, std::string* out) {
  if (!r.scalar(v, p, "a host name", out)) return false;
  if (out->empty() || out->size() > 253) return r.fail(v, p, "must be 1..253 characters");
  for (char c : *out)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '{' ||
          c == '}' || c == '_'))
      return r.fail(v, p, "'" + *out + "' is not a host name (letters, digits, '.', '-', {instance})");
  return true;
}

}  // namespace

bool readTenancy(Reader& r, const YAML::Node& n, const std::string& path, Tenancy* out) {
  bool hasDir = false;
  bool ok = r.forEachEntry(n, path, [&](const std::string& k, const YAML::Node& key,
                                        const YAML::Node& v) {
    std::string p = child(path, k);
    if (k == "development_instance") return readBool(r, v, p, &out->developmentInstance);
    if (k == "metadata_dir") {
      if (!r.scalar(v, p, "a directory", &out->metadataDir)) return false;
      if (out->metadataDir.empty()) return r.fail(v, p, "must not be empty");
      out->metadataDir = r.resolvePath(out->metadataDir);
      hasDir = true;
      return true;
    }
    if (k == "region") {
      if (!r.readName(v, p, &out->region)) return false;
      return true;
    }
    if (k == "public_host") return readHost(r, v, p, &out->publicHost);
    if (k == "private_host") return readHost(r, v, p, &out->privateHost);
    if (k == "max_topic_length") {
      uint64_t len = 0;
      if (!r.readUint(v, p, 3, 65535, &len)) return false;
      out->maxTopicLength = static_cast<uint32_t>(len);
      return true;
    }
    return r.unknownKey(key, p,
                        "development_instance, metadata_dir, region, public_host, private_host, "
                        "max_topic_length");
  });
  if (!ok) return false;
  if (!hasDir) return r.fail(n, child(path, "metadata_dir"), "is required (where the console's SQLite database lives)");
  return true;
}

}  // namespace mqgw::config::detail
