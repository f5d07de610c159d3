// The JSON of the console's resources as the management API shows them (PascalCase, enums as
// lowercase words, times in milliseconds), and the enum words it accepts.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/runtime.h"
#include "resources/catalog.h"

namespace mqgw::api {

nlohmann::json toJson(const resources::Spec& s);
nlohmann::json toJson(const resources::Instance& i);
nlohmann::json toJson(const resources::StorageInstance& s);
nlohmann::json toJson(const resources::ParentTopic& t);
nlohmann::json toJson(const resources::GroupId& g);
nlohmann::json toJson(const resources::Account& a);
nlohmann::json toJson(const resources::AccessKey& k);
nlohmann::json toJson(const resources::Token& t);
nlohmann::json toJson(const resources::DeviceCredential& c);
nlohmann::json toJson(const AccessPoint& p);

template <class T>
nlohmann::json toJsonArray(const std::vector<T>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& item : items) out.push_back(toJson(item));
  return out;
}

const char* namespaceWord(resources::NamespaceType t);
std::optional<resources::NamespaceType> parseNamespace(const std::string& word);
const char* messageTypeWord(resources::MessageType t);
std::optional<resources::MessageType> parseMessageType(const std::string& word);
std::string actionsWord(uint8_t actions);  // "R" | "W" | "R,W"
std::optional<uint8_t> parseActions(const std::string& word);

}  // namespace mqgw::api
