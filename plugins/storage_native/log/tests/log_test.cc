// Append/read round trips, rolling, index lookups across segments, reopen, concurrent readers.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "log/log.h"
#include "log/record_format.h"
#include "test_util.h"

namespace mqgw::nlog {
namespace {

using test::bodyFor;
using test::readAll;
using test::segmentFile;
using test::smallOptions;
using test::TempDir;

std::unique_ptr<Log> openLog(const LogOptions& o) {
  std::unique_ptr<Log> log;
  EXPECT_EQ(Log::open(o, &log), 0);
  return log;
}

void appendN(Log& log, uint64_t first, uint64_t n, size_t body_size) {
  for (uint64_t i = first; i < first + n; ++i) {
    uint64_t offset = 0;
    ASSERT_EQ(log.append(bodyFor(i, body_size), &offset), 0);
    ASSERT_EQ(offset, i);
  }
}

TEST(Log, NewLogStartsAtZeroAndRoundTripsVariedBodies) {
  TempDir dir;
  auto log = openLog(smallOptions(dir.path()));
  EXPECT_EQ(log->startOffset(), 0u);
  EXPECT_EQ(log->endOffset(), 0u);
  for (uint64_t i = 0; i < 60; ++i) {
    uint64_t offset = 99;
    ASSERT_EQ(log->append(bodyFor(i, i * 7 % 300), &offset), 0);
    EXPECT_EQ(offset, i);
  }
  EXPECT_EQ(log->endOffset(), 60u);
  auto records = readAll(*log);
  ASSERT_EQ(records.size(), 60u);
  for (uint64_t i = 0; i < 60; ++i) {
    EXPECT_EQ(records[i].offset, i);
    EXPECT_EQ(records[i].timestamp_ms, 1700000000000u);
    EXPECT_EQ(records[i].body, bodyFor(i, i * 7 % 300)) << i;
  }
}

TEST(Log, RollsBySizeIntoSegmentsNamedByBaseOffset) {
  TempDir dir;
  auto log = openLog(smallOptions(dir.path()));
  appendN(*log, 0, 20, 100);  // 124-byte frames: 8 fit after the 24-byte header in 1024
  for (uint64_t base : {0u, 8u, 16u}) {
    std::string data = dir.file(segmentFile(base, "log"));
    ASSERT_TRUE(std::filesystem::exists(data)) << data;
    EXPECT_TRUE(std::filesystem::exists(dir.file(segmentFile(base, "idx"))));
    EXPECT_LE(test::fileSize(data), 1024u);
  }
  EXPECT_EQ(test::fileSize(dir.file(segmentFile(0, "log"))), 24u + 8 * 124);
  EXPECT_EQ(test::fileSize(dir.file(segmentFile(16, "log"))), 24u + 4 * 124);
  EXPECT_EQ(log->stats().segments, 3u);
  EXPECT_EQ(log->stats().rolls, 2u);
  EXPECT_EQ(readAll(*log).size(), 20u);
}

TEST(Log, RecordLargerThanASegmentGetsOneOfItsOwn) {
  TempDir dir;
  auto log = openLog(smallOptions(dir.path()));
  appendN(*log, 0, 1, 10);
  appendN(*log, 1, 1, 2000);
  appendN(*log, 2, 1, 10);
  EXPECT_EQ(test::fileSize(dir.file(segmentFile(1, "log"))), 24u + 24 + 2000);
  EXPECT_TRUE(std::filesystem::exists(dir.file(segmentFile(2, "log"))));
  auto records = readAll(*log);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].body, bodyFor(1, 2000));
  uint64_t ignored;
  EXPECT_EQ(log->append(std::vector<uint8_t>(4097), &ignored), -EMSGSIZE);
}

TEST(Log, IndexLookupLandsOnTheRightRecordAcrossSegments) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  o.segment_bytes = 4096;
  auto log = openLog(o);
  appendN(*log, 0, 200, 50);  // 74-byte frames, 55 per segment, an index entry every ~2 records
  EXPECT_GT(test::fileSize(dir.file(segmentFile(0, "idx"))), 24u + 16 * 20);
  for (uint64_t target = 0; target < 200; ++target) {
    std::vector<uint64_t> seen;
    ReadResult r = log->read(target, 1, [&](const RecordView& v) {
      seen.push_back(v.offset);
      EXPECT_EQ(std::vector<uint8_t>(v.body.begin(), v.body.end()), bodyFor(v.offset, 50));
      return true;
    });
    ASSERT_EQ(r.status, 0);
    ASSERT_EQ(seen.size(), 1u) << target;  // budget of 1 byte: exactly one record
    EXPECT_EQ(seen[0], target);
    EXPECT_EQ(r.next_offset, target + 1);
  }
  ReadResult past = log->read(200, 100, [](const RecordView&) { return true; });
  EXPECT_EQ(past.status, 0);
  EXPECT_EQ(past.records, 0u);
  EXPECT_EQ(past.next_offset, 200u);
}

TEST(Log, ReadHonoursByteBudgetAndVisitorStop) {
  TempDir dir;
  auto log = openLog(smallOptions(dir.path()));
  appendN(*log, 0, 30, 100);
  ReadResult r = log->read(3, 250, [](const RecordView&) { return true; });
  EXPECT_EQ(r.records, 2u);  // 100 + 100; a third would pass 250
  EXPECT_EQ(r.next_offset, 5u);
  int calls = 0;
  r = log->read(0, 1 << 20, [&](const RecordView&) { return ++calls < 3; });
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r.records, 3u);
  EXPECT_EQ(r.next_offset, 3u);
}

TEST(Log, ReopenAfterCleanCloseKeepsEverythingAndContinuesOffsets) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  std::vector<uint8_t> idx_before;
  {
    auto log = openLog(o);
    appendN(*log, 0, 25, 90);
    idx_before = test::readFile(dir.file(segmentFile(0, "idx")));
  }
  auto log = openLog(o);
  const RecoveryReport& rep = log->recoveryReport();
  EXPECT_EQ(rep.tail_truncations, 0u);
  EXPECT_EQ(rep.indexes_rebuilt, 0u);
  EXPECT_EQ(rep.corrupt_segments, 0u);
  EXPECT_EQ(rep.segments, log->stats().segments);
  EXPECT_EQ(test::readFile(dir.file(segmentFile(0, "idx"))), idx_before);
  EXPECT_EQ(log->endOffset(), 25u);
  appendN(*log, 25, 5, 90);
  auto records = readAll(*log);
  ASSERT_EQ(records.size(), 30u);
  for (uint64_t i = 0; i < 30; ++i) EXPECT_EQ(records[i].body, bodyFor(i, 90));
}

TEST(Log, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto log = openLog(smallOptions(dir.path()));
  std::unique_ptr<Log> second;
  EXPECT_EQ(Log::open(smallOptions(dir.path()), &second), -EBUSY);
  EXPECT_EQ(second, nullptr);
}

TEST(Log, RejectsOptionsThatBreakTheFormat) {
  TempDir dir;
  std::unique_ptr<Log> log;
  LogOptions o = smallOptions(dir.path());
  o.segment_bytes = 0xFFFFFFFFull;  // positions are u32 in the index
  EXPECT_EQ(Log::open(o, &log), -EINVAL);
  o = smallOptions(dir.path());
  o.index_interval_bytes = 0;
  EXPECT_EQ(Log::open(o, &log), -EINVAL);
}

TEST(Log, ConcurrentReadersOnlySeeWholeVerifiedRecords) {
  TempDir dir;
  LogOptions o = smallOptions(dir.path());
  o.segment_bytes = 8192;
  auto log = openLog(o);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> checked{0};
  auto reader = [&] {
    uint64_t next = 0;
    while (!done.load() || next < log->endOffset()) {
      ReadResult r = log->read(next, 4096, [&](const RecordView& v) {
        EXPECT_EQ(v.offset, next);
        EXPECT_EQ(std::vector<uint8_t>(v.body.begin(), v.body.end()), bodyFor(v.offset, 64));
        ++next;
        checked++;
        return true;
      });
      ASSERT_EQ(r.status, 0);
      EXPECT_LE(r.next_offset, log->endOffset());
    }
  };
  std::thread r1(reader), r2(reader);
  appendN(*log, 0, 3000, 64);
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(checked.load(), 6000u);
}

}  // namespace
}  // namespace mqgw::nlog
