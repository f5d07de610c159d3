#include "duration.h"

#include <gtest/gtest.h>

namespace mqgw::ctl {
namespace {

int64_t ms(const char* text) {
  int64_t out = -1;
  std::string error;
  EXPECT_TRUE(parseDuration(text, &out, &error)) << text << ": " << error;
  return out;
}

bool rejects(const char* text) {
  int64_t out = -1;
  std::string error;
  bool ok = parseDuration(text, &out, &error);
  return !ok && !error.empty() && out == -1;
}

TEST(Duration, Units) {
  EXPECT_EQ(ms("3600s"), 3600000);
  EXPECT_EQ(ms("3600"), 3600000);
  EXPECT_EQ(ms("30m"), 1800000);
  EXPECT_EQ(ms("2h"), 7200000);
  EXPECT_EQ(ms("7d"), 604800000);
}

TEST(Duration, RejectsGarbageZeroNegativeAndHuge) {
  EXPECT_TRUE(rejects(""));
  EXPECT_TRUE(rejects("s"));
  EXPECT_TRUE(rejects("10x"));
  EXPECT_TRUE(rejects("1.5h"));
  EXPECT_TRUE(rejects("0s"));
  EXPECT_TRUE(rejects("-5m"));
  EXPECT_TRUE(rejects("+5m"));
  EXPECT_TRUE(rejects(" 5m"));
  EXPECT_TRUE(rejects("99999999999999999999d"));
  EXPECT_TRUE(rejects("5000d"));  // over ten years
}

}  // namespace
}  // namespace mqgw::ctl
