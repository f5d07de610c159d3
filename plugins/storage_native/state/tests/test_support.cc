#include "test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace mqgw::native::testing {

void Loaded::onSession(std::string_view clientId, std::span<const uint8_t> state,
                       std::span<const Position> cursor) {
  sessions[std::string(clientId)] =
      LoadedSession{std::string(state.begin(), state.end()),
                    std::vector<Position>(cursor.begin(), cursor.end())};
}

void Loaded::onRetained(std::string_view topic, std::span<const uint8_t> record) {
  retained[std::string(topic)] = std::string(record.begin(), record.end());
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mqgw-state-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::span<const uint8_t> bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::unique_ptr<StateStore> openStore(const std::string& path, std::string* error) {
  std::string ignored;
  StateStoreOptions options;
  options.path = path;
  options.commitIntervalMs = 1;
  return StateStore::open(options, error ? error : &ignored);
}

Loaded reload(const std::string& path) {
  Loaded loaded;
  std::string error;
  auto store = openStore(path, &error);
  EXPECT_NE(store, nullptr) << error;
  if (store) {
    EXPECT_TRUE(store->load(loaded, &error)) << error;
  }
  return loaded;
}

}  // namespace mqgw::native::testing
