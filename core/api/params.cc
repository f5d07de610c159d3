#include "api/params.h"

namespace mqgw::api {

using nlohmann::json;

const json* Params::find(const char* name) const {
  auto it = body_.find(name);
  return it == body_.end() || it->is_null() ? nullptr : &*it;
}

void Params::invalid(const std::string& field, const std::string& why) {
  if (!error_) error_ = resources::Error{400, "InvalidParameter." + field, field + " " + why};
}

void Params::nest(const std::string& prefix, const Params& inner) {
  static const std::string kCode = "InvalidParameter.";
  if (error_ || !inner.error_) return;
  error_ = inner.error_;
  error_->code = kCode + prefix + "." + error_->code.substr(kCode.size());
  error_->message = prefix + "." + error_->message;
}

std::string Params::requiredString(const char* name) {
  auto v = optionalString(name);
  if (!v || v->empty()) {
    if (v || !find(name)) invalid(name, "is required");
    return {};
  }
  return *v;
}

std::optional<std::string> Params::optionalString(const char* name) {
  const json* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    invalid(name, "must be a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<bool> Params::optionalBool(const char* name) {
  const json* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    invalid(name, "must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<int64_t> Params::optionalInt(const char* name, int64_t min, int64_t max) {
  const json* v = find(name);
  if (!v) return std::nullopt;
  bool inRange = false;
  int64_t value = 0;
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    inRange = u <= static_cast<uint64_t>(max) && static_cast<int64_t>(u) >= min;
    value = static_cast<int64_t>(u);
  } else if (v->is_number_integer()) {
    value = v->get<int64_t>();
    inRange = value >= min && value <= max;
  }
  if (!inRange) {
    invalid(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

int64_t Params::requiredInt(const char* name, int64_t min, int64_t max) {
  if (!find(name)) {
    invalid(name, "is required");
    return 0;
  }
  return optionalInt(name, min, max).value_or(0);
}

std::vector<std::string> Params::requiredStringList(const char* name, size_t minItems,
                                                    size_t maxItems) {
  const json* v = find(name);
  std::string why = "must be an array of " + std::to_string(minItems) + " to " +
                    std::to_string(maxItems) + " non-empty strings";
  if (!v || !v->is_array() || v->size() < minItems || v->size() > maxItems) {
    invalid(name, why);
    return {};
  }
  std::vector<std::string> out;
  for (const json& item : *v) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      invalid(name, why);
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> Params::optionalStringMap(const char* name) {
  const json* v = find(name);
  if (!v) return std::nullopt;
  std::map<std::string, std::string> out;
  if (v->is_object()) {
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it.value().is_string()) break;
      out[it.key()] = it.value().get<std::string>();
    }
    if (out.size() == v->size()) return out;
  }
  invalid(name, "must be an object of strings");
  return std::nullopt;
}

std::optional<json> Params::optionalObject(const char* name) {
  const json* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    invalid(name, "must be an object");
    return std::nullopt;
  }
  return *v;
}

}  // namespace mqgw::api
