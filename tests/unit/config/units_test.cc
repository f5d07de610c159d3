// Sizes, durations and the strict scalar parsers behind every config value.
#include "config/units.h"

#include <gtest/gtest.h>

namespace mqgw::config {
namespace {

std::optional<uint64_t> size(std::string_view s) {
  std::string why;
  return parseSize(s, &why);
}
std::string sizeError(std::string_view s) {
  std::string why;
  EXPECT_FALSE(parseSize(s, &why).has_value()) << s;
  return why;
}
std::optional<uint64_t> duration(std::string_view s, uint64_t bareUnitMs = 1) {
  std::string why;
  return parseDurationMs(s, bareUnitMs, &why);
}

TEST(Units, SizeUnits) {
  EXPECT_EQ(size("0"), 0u);
  EXPECT_EQ(size("65536"), 65536u);
  EXPECT_EQ(size("10B"), 10u);
  EXPECT_EQ(size("64KB"), 64000u);
  EXPECT_EQ(size("64KiB"), 65536u);
  EXPECT_EQ(size("10MB"), 10000000u);
  EXPECT_EQ(size("1MiB"), 1048576u);
  EXPECT_EQ(size("2GB"), 2000000000u);
  EXPECT_EQ(size("3GiB"), 3ull << 30);
}

TEST(Units, SizeRejectsSpacesSignsAndOddUnits) {
  const std::string units = " (use B, KB, KiB, MB, MiB, GB or GiB, no space)";
  EXPECT_EQ(sizeError("10 MB"), "unknown size unit ' MB'" + units);
  EXPECT_EQ(sizeError("10kb"), "unknown size unit 'kb'" + units);
  EXPECT_EQ(sizeError("-5"), "expected a size like 65536, 64KiB or 10MB, got '-5'");
  EXPECT_EQ(sizeError("+5"), "expected a size like 65536, 64KiB or 10MB, got '+5'");
  EXPECT_EQ(sizeError(" 5"), "expected a size like 65536, 64KiB or 10MB, got ' 5'");
  EXPECT_EQ(sizeError(""), "expected a size like 65536, 64KiB or 10MB, got ''");
  EXPECT_EQ(sizeError("1.5MiB"), "unknown size unit '.5MiB'" + units);
}

TEST(Units, SizeOverflow) {
  EXPECT_EQ(size("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(sizeError("18446744073709551616"), "number is too large");
  EXPECT_EQ(size("17179869183GiB"), 17179869183ull << 30);  // the last that fits
  EXPECT_EQ(sizeError("17179869184GiB"), "number is too large");  // 2^64
}

TEST(Units, Durations) {
  EXPECT_EQ(duration("250ms"), 250u);
  EXPECT_EQ(duration("30s"), 30000u);
  EXPECT_EQ(duration("5m"), 300000u);
  EXPECT_EQ(duration("1h"), 3600000u);
  EXPECT_EQ(duration("0s"), 0u);
  EXPECT_EQ(duration("42"), 42u);               // bare = ms for plugin schemas
  EXPECT_EQ(duration("42", 1000), 42000u);      // bare = seconds for keepalives
  std::string why;
  EXPECT_FALSE(parseDurationMs("5 s", 1, &why));
  EXPECT_EQ(why, "unknown duration unit ' s' (use ms, s, m or h, no space)");
  EXPECT_FALSE(parseDurationMs("1d", 1, &why));
  EXPECT_FALSE(parseDurationMs("-1s", 1, &why));
  EXPECT_EQ(why, "expected a duration like 250ms, 30s, 5m or 1h, got '-1s'");
  EXPECT_FALSE(parseDurationMs("5124095576030432h", 1, &why));  // > 2^64 ms
  EXPECT_EQ(why, "number is too large");
  EXPECT_FALSE(parseDurationMs("18446744073709551615", 1000, &why));
  EXPECT_EQ(why, "number is too large");
}

TEST(Units, Integers) {
  std::string why;
  EXPECT_EQ(parseInt("-42", &why), -42);
  EXPECT_EQ(parseInt("9223372036854775807", &why), INT64_MAX);
  EXPECT_FALSE(parseInt("9223372036854775808", &why));
  EXPECT_EQ(why, "integer '9223372036854775808' does not fit in 64 bits");
  EXPECT_FALSE(parseInt("12abc", &why));
  EXPECT_EQ(why, "expected an integer, got '12abc'");
  EXPECT_FALSE(parseInt("0x10", &why));
  EXPECT_FALSE(parseInt("", &why));
  EXPECT_FALSE(parseInt("1.0", &why));
}

TEST(Units, DoublesAndBools) {
  std::string why;
  EXPECT_DOUBLE_EQ(*parseDouble("0.25", &why), 0.25);
  EXPECT_DOUBLE_EQ(*parseDouble("-1e3", &why), -1000.0);
  EXPECT_FALSE(parseDouble("nan", &why));
  EXPECT_FALSE(parseDouble("inf", &why));
  EXPECT_FALSE(parseDouble("1e999", &why));
  EXPECT_FALSE(parseDouble("1,5", &why));
  EXPECT_EQ(parseBool("true", &why), true);
  EXPECT_EQ(parseBool("FALSE", &why), false);
  EXPECT_FALSE(parseBool("yes", &why));
  EXPECT_EQ(why, "expected true or false, got 'yes'");
}

TEST(Units, FormatNumber) {
  EXPECT_EQ(formatNumber(65535), "65535");
  EXPECT_EQ(formatNumber(-5), "-5");
  EXPECT_EQ(formatNumber(0.5), "0.5");
}

}  // namespace
}  // namespace mqgw::config
