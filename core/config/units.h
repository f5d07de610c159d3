// Text → number conversions shared by the core keys and plugin schemas. Strict on purpose: no
// spaces, no signs on sizes/durations, no hex, case-sensitive units; every failure says why.
//
//   size:     <digits>[B|KB|KiB|MB|MiB|GB|GiB]   (KB = 1000, KiB = 1024; bare = bytes)
//   duration: <digits>[ms|s|m|h]                 (bare = `bareUnitMs` milliseconds each)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mqgw::config {

// Each returns the value, or nullopt with a human sentence in *why.
std::optional<uint64_t> parseSize(std::string_view text, std::string* why);
std::optional<uint64_t> parseDurationMs(std::string_view text, uint64_t bareUnitMs,
                                        std::string* why);
std::optional<int64_t> parseInt(std::string_view text, std::string* why);  // optional '-'
std::optional<double> parseDouble(std::string_view text, std::string* why);  // finite only
std::optional<bool> parseBool(std::string_view text, std::string* why);  // true/false (YAML 1.2)

// "1.5" → "1.5", 65535.0 → "65535": how bounds appear in error messages.
std::string formatNumber(double v);

}  // namespace mqgw::config
