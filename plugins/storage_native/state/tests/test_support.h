// Shared helpers for the state store tests: a temp directory per test and a visitor that
// collects what load() streams back.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "state_store.h"

namespace mqgw::native::testing {

struct LoadedSession {
  std::string state;
  std::vector<Position> cursor;
};

struct Loaded : StateVisitor {
  std::map<std::string, LoadedSession> sessions;
  std::map<uint32_t, uint64_t> floors;
  std::map<std::string, std::string> retained;
  std::map<std::string, uint64_t> meta;

  void onSession(std::string_view clientId, std::span<const uint8_t> state,
                 std::span<const Position> cursor) override;
  void onFloor(Position floor) override { floors[floor.partition] = floor.offset; }
  void onRetained(std::string_view topic, std::span<const uint8_t> record) override;
  void onMeta(std::string_view key, uint64_t value) override { meta[std::string(key)] = value; }
};

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::span<const uint8_t> bytes(std::string_view text);
std::unique_ptr<StateStore> openStore(const std::string& path, std::string* error = nullptr);
// Opens `path` afresh and loads everything; fails the test on error.
Loaded reload(const std::string& path);

}  // namespace mqgw::native::testing
