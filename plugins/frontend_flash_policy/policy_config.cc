#include "policy_config.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <string_view>

namespace mqgw::flashpolicy {

const mqgw_config_key kConfigSchema[] = {
    {"policy_file", MQGW_CFG_FILE, nullptr, 0, 1, 0, nullptr,
     "The cross-domain policy XML served to clients (relative to the config file); "
     "exactly one of policy_file and policy"},
    {"policy", MQGW_CFG_STRING, nullptr, 0, 1, 0, nullptr,
     "The cross-domain policy XML inline; exactly one of policy_file and policy"},
    {"timeout", MQGW_CFG_DURATION_MS, "5s", 0, 1, 600000, nullptr,
     "Close a connection that has not sent the whole policy request within this time"},
};
const uint32_t kConfigSchemaLen = sizeof(kConfigSchema) / sizeof(kConfigSchema[0]);

namespace {

// Reads at most kMaxPolicyBytes + 1 bytes: enough to tell an oversize file without reading it.
int readPolicyFile(const std::string& path, std::string* out, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = "cannot read policy_file '" + path + "': " + std::strerror(errno);
    return MQGW_E_IO;
  }
  out->resize(kMaxPolicyBytes + 1);
  in.read(out->data(), static_cast<std::streamsize>(out->size()));
  if (in.bad()) {
    *why = "cannot read policy_file '" + path + "'";
    return MQGW_E_IO;
  }
  out->resize(static_cast<size_t>(in.gcount()));
  return MQGW_OK;
}

}  // namespace

int checkPolicy(const std::string& policy, std::string* why) {
  if (policy.size() > kMaxPolicyBytes) {
    *why = "the policy is larger than " + std::to_string(kMaxPolicyBytes) + " bytes";
    return MQGW_E_TOO_LARGE;
  }
  // The NUL ends the document on the wire: one inside would cut it short.
  if (policy.find('\0') != std::string::npos) {
    *why = "the policy contains a NUL byte";
    return MQGW_E_INVAL;
  }
  // Flash Player ignores a document without this root element: most likely the wrong file.
  if (policy.find("<cross-domain-policy") == std::string::npos) {
    *why = "the policy has no <cross-domain-policy> element";
    return MQGW_E_INVAL;
  }
  return MQGW_OK;
}

int parseConfig(const mqgw_kv* kv, size_t n, PolicyConfig& out, std::string* why) {
  const char* file = nullptr;
  const char* inlinePolicy = nullptr;
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = kv[i].key ? kv[i].key : "";
    const char* value = kv[i].value ? kv[i].value : "";
    if (key == "policy_file") {
      file = value;
    } else if (key == "policy") {
      inlinePolicy = value;
    } else if (key == "timeout") {
      std::string_view s(value);
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out.timeoutMs);
      if (ec != std::errc() || end != s.data() + s.size() || out.timeoutMs == 0) {
        *why = "timeout '" + std::string(s) + "' is not a positive number of milliseconds";
        return MQGW_E_INVAL;
      }
    } else {
      *why = "unknown key '" + std::string(key) + "'";
      return MQGW_E_INVAL;
    }
  }
  if ((file != nullptr) == (inlinePolicy != nullptr)) {
    *why = file ? "set policy_file or policy, not both" : "set policy_file or policy";
    return MQGW_E_INVAL;
  }
  std::string policy;
  if (file) {
    if (int rc = readPolicyFile(file, &policy, why); rc != MQGW_OK) return rc;
  } else {
    policy = inlinePolicy;
  }
  if (int rc = checkPolicy(policy, why); rc != MQGW_OK) return rc;
  out.reply = std::move(policy);
  out.reply.push_back('\0');
  return MQGW_OK;
}

}  // namespace mqgw::flashpolicy
