// Typed reading of a request body's fields. Strict: a field of the wrong JSON type, or a
// required one that is absent or empty, is 400 InvalidParameter.<Field>. The first problem is
// kept; later reads then return defaults, so an action reads everything and checks error() once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "resources/registry.h"

namespace mqgw::api {

class Params {
 public:
  explicit Params(const nlohmann::json& body) : body_(body) {}

  std::string requiredString(const char* name);
  std::optional<std::string> optionalString(const char* name);
  std::optional<bool> optionalBool(const char* name);
  // An integer in [min, max]; floats, strings and out-of-range values are refused.
  std::optional<int64_t> optionalInt(const char* name, int64_t min, int64_t max);
  int64_t requiredInt(const char* name, int64_t min, int64_t max);
  // An array of strings with [minItems, maxItems] elements, none of them empty.
  std::vector<std::string> requiredStringList(const char* name, size_t minItems, size_t maxItems);
  std::optional<std::map<std::string, std::string>> optionalStringMap(const char* name);
  // The JSON object under `name` (absent = nullopt); its fields are read by the caller.
  std::optional<nlohmann::json> optionalObject(const char* name);

  // Records a problem found by the caller (an unknown enum word, a bad Spec field).
  void invalid(const std::string& field, const std::string& why);
  // Takes the first problem of the fields of a nested object as "<prefix>.<Field>".
  void nest(const std::string& prefix, const Params& inner);
  const std::optional<resources::Error>& error() const { return error_; }

 private:
  const nlohmann::json* find(const char* name) const;

  const nlohmann::json& body_;
  std::optional<resources::Error> error_;
};

}  // namespace mqgw::api
