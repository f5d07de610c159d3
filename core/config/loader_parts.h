// Internal: readers for the parts of the config file, one per section (see config.h for keys).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace mqgw::config::detail {

bool readLimits(Reader& r, const YAML::Node& n, const std::string& path, Limits* out);
bool readListeners(Reader& r, const YAML::Node& n, const std::string& path,
                   std::vector<Listener>* out);
bool readStorage(Reader& r, const YAML::Node& n, const std::string& path, Config* out);
bool readAuthorization(Reader& r, const YAML::Node& n, const std::string& path,
                       Authorization* out);
bool readTenancy(Reader& r, const YAML::Node& n, const std::string& path, Tenancy* out);

}  // namespace mqgw::config::detail
