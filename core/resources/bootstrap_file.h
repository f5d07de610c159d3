// The first start's credentials, written as a mqgwctl profile so that `mqgwctl configure
// --from-file` (or MQGW_CREDENTIALS_FILE) can use them at once.
#pragma once

#include <string>

namespace mqgw::resources {

// Writes "[default]\nendpoint = ...\naccess_key_id = ...\naccess_key_secret = ...\n" to `path`
// with mode 0600, atomically (a temporary file in the same directory, synced, then renamed), and
// creates the directory when missing. False with *error when anything fails.
bool writeProfileFile(const std::string& path, const std::string& endpoint,
                      const std::string& accessKeyId, const std::string& accessKeySecret,
                      std::string* error);

}  // namespace mqgw::resources
