#include "config/units.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mqgw::config {
namespace {

// Leading decimal digits of `text` as uint64; `rest` gets what follows. Fails with `noDigits`
// as the reason when there are none, or on overflow.
std::optional<uint64_t> leadingDigits(std::string_view text, std::string_view* rest,
                                      const char* noDigits, std::string* why) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (end == text.data()) {
    *why = noDigits + ("'" + std::string(text) + "'");
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) {
    *why = "number is too large";
    return std::nullopt;
  }
  *rest = text.substr(static_cast<size_t>(end - text.data()));
  return v;
}

std::optional<uint64_t> scaled(uint64_t v, uint64_t unit, std::string* why) {
  if (unit != 0 && v > UINT64_MAX / unit) {
    *why = "number is too large";
    return std::nullopt;
  }
  return v * unit;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::optional<uint64_t> parseSize(std::string_view text, std::string* why) {
  std::string_view unit;
  auto v = leadingDigits(text, &unit, "expected a size like 65536, 64KiB or 10MB, got ", why);
  if (!v) return std::nullopt;
  struct U {
    std::string_view name;
    uint64_t bytes;
  };
  static constexpr U kUnits[] = {{"", 1},          {"B", 1},
                                 {"KB", 1000},     {"KiB", 1024},
                                 {"MB", 1000000},  {"MiB", 1024 * 1024},
                                 {"GB", 1000000000}, {"GiB", 1024ull * 1024 * 1024}};
  for (const U& u : kUnits)
    if (u.name == unit) return scaled(*v, u.bytes, why);
  *why = "unknown size unit " + quoted(unit) + " (use B, KB, KiB, MB, MiB, GB or GiB, no space)";
  return std::nullopt;
}

std::optional<uint64_t> parseDurationMs(std::string_view text, uint64_t bareUnitMs,
                                        std::string* why) {
  std::string_view unit;
  auto v = leadingDigits(text, &unit, "expected a duration like 250ms, 30s, 5m or 1h, got ", why);
  if (!v) return std::nullopt;
  if (unit.empty()) return scaled(*v, bareUnitMs, why);
  if (unit == "ms") return v;
  if (unit == "s") return scaled(*v, 1000, why);
  if (unit == "m") return scaled(*v, 60 * 1000, why);
  if (unit == "h") return scaled(*v, 3600 * 1000, why);
  *why = "unknown duration unit " + quoted(unit) + " (use ms, s, m or h, no space)";
  return std::nullopt;
}

std::optional<int64_t> parseInt(std::string_view text, std::string* why) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) {
    *why = "integer " + quoted(text) + " does not fit in 64 bits";
    return std::nullopt;
  }
  if (ec != std::errc() || end != text.data() + text.size()) {
    *why = "expected an integer, got " + quoted(text);
    return std::nullopt;
  }
  return v;
}

std::optional<double> parseDouble(std::string_view text, std::string* why) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    *why = "expected a number, got " + quoted(text);
    return std::nullopt;
  }
  return v;
}

std::optional<bool> parseBool(std::string_view text, std::string* why) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  *why = "expected true or false, got " + quoted(text);
  return std::nullopt;
}

std::string formatNumber(double v) {
  char buf[64];
  if (std::abs(v) < 9.2e18 && v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else
    std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace mqgw::config
