#include "duration.h"

#include <charconv>

namespace mqgw::ctl {
namespace {

constexpr int64_t kMaxMs = int64_t{10} * 366 * 24 * 3600 * 1000;

int64_t unitMs(char unit) {
  switch (unit) {
    case 's': return 1000;
    case 'm': return 60 * 1000;
    case 'h': return 3600 * 1000;
    case 'd': return 24 * 3600 * 1000;
    default: return 0;
  }
}

}  // namespace

bool parseDuration(std::string_view text, int64_t* ms, std::string* error) {
  std::string_view digits = text;
  int64_t unit = 1000;
  if (!text.empty() && (text.back() < '0' || text.back() > '9')) {
    unit = unitMs(text.back());
    digits.remove_suffix(1);
  }
  int64_t count = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (unit == 0 || digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    *error = "invalid duration '" + std::string(text) + "' (expected e.g. 3600s, 30m, 12h, 7d)";
    return false;
  }
  if (count <= 0 || count > kMaxMs / unit) {
    *error = "duration '" + std::string(text) + "' out of range (more than 0, at most 10 years)";
    return false;
  }
  *ms = count * unit;
  return true;
}

}  // namespace mqgw::ctl
