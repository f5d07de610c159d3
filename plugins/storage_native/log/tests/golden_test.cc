// Committed fixtures prove the on-disk format stays readable (and stays the format we write).
#include <gtest/gtest.h>

#include <filesystem>

#include "log/log.h"
#include "log/record_format.h"
#include "test_util.h"

namespace mqgw::nlog {
namespace {

namespace fs = std::filesystem;
using test::goldenBody;
using test::goldenTimestamp;
using test::kGoldenRecords;

const fs::path kGolden = MQGW_NLOG_GOLDEN_DIR;

std::unique_ptr<Log> openCopy(const fs::path& fixture, const test::TempDir& tmp) {
  test::copyDir(fixture.string(), tmp.path());
  std::unique_ptr<Log> log;
  EXPECT_EQ(Log::open(test::goldenOptions(tmp.path()), &log), 0);
  return log;
}

void expectGoldenRecords(const Log& log, uint64_t count) {
  auto records = test::readAll(log);
  ASSERT_EQ(records.size(), count);
  for (uint64_t i = 0; i < count; ++i) {
    EXPECT_EQ(records[i].offset, i);
    EXPECT_EQ(records[i].timestamp_ms, goldenTimestamp(i));
    EXPECT_EQ(records[i].body, goldenBody(i)) << i;
  }
}

TEST(Golden, CleanFixtureOpensWithoutRepairsAndReadsBack) {
  ASSERT_TRUE(fs::exists(kGolden / "v1_clean" / test::segmentFile(0, "log")));
  test::TempDir tmp;
  auto log = openCopy(kGolden / "v1_clean", tmp);
  ASSERT_NE(log, nullptr);
  const RecoveryReport& rep = log->recoveryReport();
  EXPECT_GE(rep.segments, 3u);
  EXPECT_EQ(rep.tail_truncations + rep.indexes_rebuilt + rep.corrupt_segments, 0u);
  expectGoldenRecords(*log, kGoldenRecords);
  EXPECT_EQ(log->endOffset(), kGoldenRecords);
}

TEST(Golden, WriterStillProducesTheCommittedBytes) {
  test::TempDir tmp;
  ASSERT_EQ(test::writeGoldenLog(tmp.path()), 0);
  size_t compared = 0;
  for (const auto& e : fs::directory_iterator(kGolden / "v1_clean")) {
    auto name = e.path().filename().string();
    EXPECT_EQ(test::readFile(tmp.file(name)), test::readFile(e.path().string()))
        << name << ": the on-disk format changed; bump kFormatVersion and keep reading v1";
    ++compared;
  }
  EXPECT_GE(compared, 6u);  // at least three segments, two files each
}

TEST(Golden, TornTailFixtureLosesOnlyItsLastRecord) {
  test::TempDir tmp;
  auto log = openCopy(kGolden / "v1_torn_tail", tmp);
  ASSERT_NE(log, nullptr);
  const uint64_t last_frame = frameSize(goldenBody(kGoldenRecords - 1).size());
  EXPECT_EQ(log->recoveryReport().tail_truncations, 1u);
  EXPECT_EQ(log->recoveryReport().tail_bytes_truncated, last_frame - 7);
  expectGoldenRecords(*log, kGoldenRecords - 1);
  uint64_t offset = 0;
  ASSERT_EQ(log->append(goldenBody(kGoldenRecords - 1), &offset), 0);
  EXPECT_EQ(offset, kGoldenRecords - 1);
}

}  // namespace
}  // namespace mqgw::nlog
