// Walking a topic or filter level by level without copying, and hashing level strings so a
// lookup by string_view allocates nothing. Shared by the topic tree and the retained store.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace mqgw::router {

inline constexpr size_t kLevelsEnd = std::string_view::npos;

// The level starting at *pos; moves *pos past it and its '/', or to kLevelsEnd after the last.
inline std::string_view nextLevel(std::string_view s, size_t* pos) {
  size_t start = *pos, slash = s.find('/', start);
  *pos = slash == s.npos ? kLevelsEnd : slash + 1;
  return s.substr(start, slash == s.npos ? s.npos : slash - start);
}

// Transparent hash: unordered_map<std::string, ...>::find(std::string_view) without a copy.
struct LevelHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace mqgw::router
