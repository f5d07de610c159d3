// Retention by total size and by age: whole closed segments, oldest first, never the active one.
#include <gtest/gtest.h>

#include <filesystem>

#include "log/log.h"
#include "log/log_writer.h"
#include "test_util.h"

namespace mqgw::nlog {
namespace {

using test::bodyFor;
using test::readAll;
using test::segmentFile;
using test::smallOptions;
using test::TempDir;

bool segmentExists(const TempDir& dir, uint64_t base) {
  return std::filesystem::exists(dir.file(segmentFile(base, "log"))) ||
         std::filesystem::exists(dir.file(segmentFile(base, "idx")));
}

void appendRange(Log& log, uint64_t first, uint64_t n) {
  for (uint64_t i = first; i < first + n; ++i) {
    uint64_t offset;
    ASSERT_EQ(log.append(bodyFor(i, 100), &offset), 0);
    ASSERT_EQ(offset, i);
  }
}

TEST(Retention, BySizeDeletesOldestClosedSegmentsAndOffsetsAreNotReused) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  o.retention_bytes = 3000;
  {
    std::unique_ptr<Log> log;
    ASSERT_EQ(Log::open(o, &log), 0);
    appendRange(*log, 0, 40);  // five segments of 8 records, 1016 bytes each
    ASSERT_EQ(log->stats().bytes, 5u * 1016);
    EXPECT_EQ(log->applyRetention(0), 3u);  // 5080 -> 4064 -> 3048 -> 2032
    EXPECT_EQ(log->stats().bytes, 2u * 1016);
    for (uint64_t base : {0u, 8u, 16u}) EXPECT_FALSE(segmentExists(dir, base)) << base;
    for (uint64_t base : {24u, 32u}) EXPECT_TRUE(segmentExists(dir, base)) << base;
    EXPECT_EQ(log->startOffset(), 24u);
    ReadResult r = log->read(3, 100, [](const RecordView&) { return true; });
    EXPECT_EQ(r.status, -ERANGE);
    EXPECT_EQ(r.next_offset, 24u);
    EXPECT_EQ(readAll(*log, 24).size(), 16u);
    appendRange(*log, 40, 1);
  }
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(o, &log), 0);
  EXPECT_EQ(log->startOffset(), 24u);
  EXPECT_EQ(log->endOffset(), 41u);
  appendRange(*log, 41, 1);
}

TEST(Retention, NeverDeletesTheActiveSegment) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  o.retention_bytes = 1;
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(o, &log), 0);
  appendRange(*log, 0, 20);  // segments 0, 8 and the active 16
  EXPECT_EQ(log->applyRetention(0), 2u);
  EXPECT_EQ(log->stats().segments, 1u);
  EXPECT_EQ(log->startOffset(), 16u);
  EXPECT_EQ(log->applyRetention(0), 0u);
  EXPECT_EQ(readAll(*log, 16).size(), 4u);
}

TEST(Retention, ByAgeUsesEachSegmentsNewestRecordWithAnInjectedClock) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  auto now = std::make_shared<uint64_t>(1000);
  o.clock_ms = [now] { return *now; };
  o.retention_ms = 2000;
  {
    std::unique_ptr<Log> log;
    ASSERT_EQ(Log::open(o, &log), 0);
    appendRange(*log, 0, 16);  // segments 0 and 8 at t=1000
    *now = 5000;
    appendRange(*log, 16, 17);  // segments 16, 24 at t=5000, and 32 (active)
    EXPECT_EQ(log->applyRetention(2999), 0u);  // 1000 + 2000 is not before 2999
    EXPECT_EQ(log->applyRetention(6000), 2u);
    EXPECT_EQ(log->startOffset(), 16u);
  }
  // Reopened: the newest timestamp of each closed segment comes back from disk.
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(o, &log), 0);
  EXPECT_EQ(log->applyRetention(7000), 0u);
  EXPECT_EQ(log->applyRetention(7001), 2u);
  EXPECT_EQ(log->startOffset(), 32u);
  EXPECT_EQ(log->stats().segments, 1u);
}

TEST(Retention, AReaderInsideADeletedSegmentFinishesIt) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  o.retention_bytes = 1;
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(o, &log), 0);
  appendRange(*log, 0, 12);
  std::vector<uint64_t> seen;
  ReadResult r = log->read(0, 1 << 20, [&](const RecordView& v) {
    if (seen.empty()) {
      EXPECT_EQ(log->applyRetention(0), 1u);  // deletes segment 0 under us
    }
    seen.push_back(v.offset);
    EXPECT_EQ(std::vector<uint8_t>(v.body.begin(), v.body.end()), bodyFor(v.offset, 100));
    return true;
  });
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen.size(), 12u);  // all of segment 0, then on into segment 8
  EXPECT_FALSE(segmentExists(dir, 0));
}

TEST(Retention, WriterAppliesRetentionAfterRolls) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  o.retention_bytes = 2048;
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(o, &log), 0);
  WriterOptions wo;
  wo.fsync = FsyncPolicy::Never;
  wo.retention_check_ms = 3600 * 1000;  // only the after-roll check can do it
  LogWriter writer(*log, wo);
  for (uint64_t i = 0; i < 80; ++i) {
    ASSERT_EQ(writer.append(bodyFor(i, 100), [](int, uint64_t) {}), 0);
    if (i % 10 == 9) {
      ASSERT_EQ(writer.flush(), 0);
    }
  }
  writer.stop();
  EXPECT_GE(log->stats().segments_deleted, 7u);
  EXPECT_LE(log->stats().bytes, 2048u + 1016);
  EXPECT_EQ(log->endOffset(), 80u);
}

}  // namespace
}  // namespace mqgw::nlog
