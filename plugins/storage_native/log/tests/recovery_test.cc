// Crash recovery on open. A known good log (20 records of 100 bytes: segments 0 and 8 hold 8
// records each, the last segment 16 holds 4, at positions 24, 148, 272, 396, ending at 520;
// its index has one entry, for offset 18 at 272) is copied and damaged in one well-defined way
// per test; the expected offsets and file sizes after recovery are exact.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <mutex>

#include "log/log.h"
#include "log/record_format.h"
#include "test_util.h"

namespace mqgw::nlog {
namespace {

using test::bodyFor;
using test::readAll;
using test::readFile;
using test::segmentFile;
using test::writeFile;

constexpr uint64_t kRecords = 20;
constexpr uint64_t kFrame = 124;
constexpr uint64_t kLastEnd = 24 + 4 * kFrame;  // 520

class Recovery : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions o = test::smallOptions(good_.path());
    std::unique_ptr<Log> log;
    ASSERT_EQ(Log::open(o, &log), 0);
    for (uint64_t i = 0; i < kRecords; ++i) ASSERT_EQ(log->append(bodyFor(i, 100), nullptr), 0);
    ASSERT_EQ(test::fileSize(good_.file(segmentFile(16, "log"))), kLastEnd);
    test::copyDir(good_.path(), work_.path());
  }

  std::string file(uint64_t base, const char* ext) const {
    return work_.file(segmentFile(base, ext));
  }
  std::string goodFile(uint64_t base, const char* ext) const {
    return good_.file(segmentFile(base, ext));
  }
  void damage(uint64_t base, const char* ext,
              const std::function<void(std::vector<uint8_t>&)>& edit) {
    auto bytes = readFile(file(base, ext));
    edit(bytes);
    writeFile(file(base, ext), bytes);
  }
  std::unique_ptr<Log> open(bool verify = false) {
    LogOptions o = test::smallOptions(work_.path());
    o.verify_closed_segments = verify;
    o.on_message = [this](LogSeverity, const std::string& m) {
      std::lock_guard lock(mu_);
      messages_.push_back(m);
    };
    std::unique_ptr<Log> log;
    EXPECT_EQ(Log::open(o, &log), 0);
    return log;
  }
  // Records [0, n) are intact, in order, and the log continues at n.
  void expectIntactPrefix(Log& log, uint64_t n) {
    auto records = readAll(log);
    ASSERT_EQ(records.size(), n);
    for (uint64_t i = 0; i < n; ++i) {
      EXPECT_EQ(records[i].offset, i);
      EXPECT_EQ(records[i].body, bodyFor(i, 100)) << i;
    }
    EXPECT_EQ(log.endOffset(), n);
    uint64_t offset = 0;
    ASSERT_EQ(log.append(bodyFor(n, 100), &offset), 0);
    EXPECT_EQ(offset, n);
  }
  // A second open after recovery finds nothing left to repair.
  void expectCleanReopen(std::unique_ptr<Log>& log) {
    log.reset();
    log = open();
    EXPECT_EQ(log->recoveryReport().tail_truncations, 0u);
    EXPECT_EQ(log->recoveryReport().indexes_rebuilt, 0u);
  }
  size_t messageCount() {
    std::lock_guard lock(mu_);
    return messages_.size();
  }

  test::TempDir good_, work_;
  std::mutex mu_;
  std::vector<std::string> messages_;
};

TEST_F(Recovery, TornLastRecordIsCutToThePreviousRecordEnd) {
  damage(16, "log", [](auto& b) { b.resize(kLastEnd - 50); });
  auto log = open();
  EXPECT_EQ(log->recoveryReport().tail_truncations, 1u);
  EXPECT_EQ(log->recoveryReport().tail_bytes_truncated, kLastEnd - 50 - (kLastEnd - kFrame));
  EXPECT_EQ(test::fileSize(file(16, "log")), kLastEnd - kFrame);
  EXPECT_GE(messageCount(), 1u);
  expectIntactPrefix(*log, 19);
  expectCleanReopen(log);
  EXPECT_EQ(log->endOffset(), 20u);
}

TEST_F(Recovery, FlippedCrcByteInTheLastRecordCutsIt) {
  damage(16, "log", [](auto& b) { b[kLastEnd - kFrame] ^= 0x5A; });
  auto log = open();
  EXPECT_EQ(log->recoveryReport().tail_bytes_truncated, kFrame);
  EXPECT_EQ(test::fileSize(file(16, "log")), kLastEnd - kFrame);
  expectIntactPrefix(*log, 19);
  expectCleanReopen(log);
}

TEST_F(Recovery, LengthPastEndOfFileIsCut) {
  damage(16, "log", [](auto& b) { putU32(b.data() + (kLastEnd - kFrame) + 4, 3000); });
  auto log = open();
  EXPECT_EQ(log->recoveryReport().tail_bytes_truncated, kFrame);
  expectIntactPrefix(*log, 19);
}

TEST_F(Recovery, ZeroFilledTailFromPreallocationIsCut) {
  damage(16, "log", [](auto& b) { b.resize(b.size() + 4096, 0); });
  auto log = open();
  EXPECT_EQ(log->recoveryReport().tail_bytes_truncated, 4096u);
  EXPECT_EQ(test::fileSize(file(16, "log")), kLastEnd);
  EXPECT_EQ(readFile(file(16, "idx")), readFile(goodFile(16, "idx")));
  expectIntactPrefix(*log, 20);
  expectCleanReopen(log);
}

TEST_F(Recovery, TruncatedIndexIsRebuiltByteIdentical) {
  damage(0, "idx", [](auto& b) { b.resize(24 + 16 + 5); });  // one entry and a bit of another
  damage(16, "idx", [](auto& b) { b.resize(24 + 8); });      // half of its only entry
  auto log = open();
  EXPECT_EQ(log->recoveryReport().indexes_rebuilt, 2u);
  EXPECT_EQ(log->recoveryReport().tail_truncations, 0u);
  for (uint64_t base : {0u, 16u}) {
    EXPECT_EQ(readFile(file(base, "idx")), readFile(goodFile(base, "idx"))) << base;
  }
  expectIntactPrefix(*log, 20);
  expectCleanReopen(log);
}

TEST_F(Recovery, IndexWithAGarbageEntryIsRebuiltByteIdentical) {
  ASSERT_GE(test::fileSize(goodFile(0, "idx")), 24u + 3 * 16);
  damage(0, "idx", [](auto& b) { std::fill(b.begin() + 24 + 16, b.begin() + 24 + 32, 0xAB); });
  damage(16, "idx", [](auto& b) { b[24 + 3] ^= 0x01; });
  auto log = open();
  EXPECT_EQ(log->recoveryReport().indexes_rebuilt, 2u);
  EXPECT_EQ(readFile(file(0, "idx")), readFile(goodFile(0, "idx")));
  EXPECT_EQ(readFile(file(16, "idx")), readFile(goodFile(16, "idx")));
  expectIntactPrefix(*log, 20);
}

TEST_F(Recovery, IndexEntryPointingPastTheDataIsDropped) {
  damage(16, "idx", [](auto& b) {
    b.resize(24 + 32);
    encodeIndexEntry(b.data() + 24 + 16, {19, 5000});  // well-formed, but past the data
  });
  auto log = open();
  EXPECT_EQ(log->recoveryReport().indexes_rebuilt, 1u);
  EXPECT_EQ(readFile(file(16, "idx")), readFile(goodFile(16, "idx")));
  expectIntactPrefix(*log, 20);
}

TEST_F(Recovery, TornRecordUnderAnIndexEntryDropsTheEntryToo) {
  damage(16, "log", [](auto& b) { b.resize(300); });  // cuts into the record at 272 (offset 18)
  auto log = open();
  EXPECT_EQ(test::fileSize(file(16, "log")), 272u);
  EXPECT_EQ(test::fileSize(file(16, "idx")), 24u);  // no record left to index
  EXPECT_EQ(log->recoveryReport().indexes_rebuilt, 1u);
  expectIntactPrefix(*log, 18);
  expectCleanReopen(log);
}

TEST_F(Recovery, MissingIndexAndOrphanIndexAreHandled) {
  std::filesystem::remove(file(8, "idx"));
  test::writeFile(work_.file(segmentFile(999, "idx")), readFile(goodFile(8, "idx")));
  auto log = open();
  EXPECT_EQ(log->recoveryReport().indexes_rebuilt, 1u);
  EXPECT_EQ(log->recoveryReport().orphan_files_removed, 1u);
  EXPECT_FALSE(std::filesystem::exists(work_.file(segmentFile(999, "idx"))));
  EXPECT_EQ(readFile(file(8, "idx")), readFile(goodFile(8, "idx")));
  expectIntactPrefix(*log, 20);
}

TEST_F(Recovery, LastSegmentShorterThanItsHeaderIsReinitialized) {
  test::writeFile(work_.file(segmentFile(20, "log")), std::vector<uint8_t>(10, 0));
  auto log = open();
  EXPECT_EQ(log->recoveryReport().segments_reinitialized, 1u);
  EXPECT_EQ(test::fileSize(file(20, "log")), 24u);
  expectIntactPrefix(*log, 20);
}

TEST_F(Recovery, BitRotInAClosedSegmentIsFoundWhenReadAndSkipped) {
  damage(0, "log", [](auto& b) { b[24 + 3 * kFrame + 30] ^= 0x10; });  // body of offset 3
  auto log = open();
  EXPECT_EQ(log->recoveryReport().corrupt_segments, 0u);  // not scanned at open by default
  std::vector<uint64_t> seen;
  auto collect = [&](const RecordView& v) { seen.push_back(v.offset); return true; };
  ReadResult r = log->read(0, 1 << 20, collect);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(r.next_offset, 3u);
  r = log->read(3, 1 << 20, collect);
  EXPECT_EQ(r.status, -EBADMSG);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(r.next_offset, 8u);  // the rest of that segment is skipped, reported
  EXPECT_EQ(log->stats().corrupt_reads, 1u);
  EXPECT_GE(messageCount(), 1u);
  EXPECT_EQ(readAll(*log, 8).size(), 12u);
}

TEST_F(Recovery, BitRotInAClosedSegmentIsReportedAtOpenWhenVerifying) {
  damage(8, "log", [](auto& b) { b[24 + 2 * kFrame + 60] ^= 0x01; });  // offset 10
  auto log = open(/*verify=*/true);
  EXPECT_EQ(log->recoveryReport().corrupt_segments, 1u);
  EXPECT_EQ(log->recoveryReport().tail_truncations, 0u);
  EXPECT_EQ(test::fileSize(file(8, "log")), 24u + 8 * kFrame);  // closed segments are not cut
  EXPECT_GE(messageCount(), 1u);
  int status = 0;
  auto records = readAll(*log, 0, 1 << 20, &status);
  EXPECT_EQ(records.size(), 10u);  // 0..9, then the gap
  EXPECT_EQ(status, -EBADMSG);
  ReadResult r = log->read(10, 1 << 20, [](const RecordView&) { return true; });
  EXPECT_EQ(r.status, -EBADMSG);
  EXPECT_EQ(r.next_offset, 16u);
  EXPECT_EQ(readAll(*log, 16).size(), 4u);
  EXPECT_EQ(log->endOffset(), 20u);
}

TEST_F(Recovery, BitRotAfterTheLastIndexEntryCannotBeToldFromATornTail) {
  // Documented choice: the tail scan ends the last segment at its first bad record; the
  // records after it are cut, and the cut is reported.
  damage(16, "log", [](auto& b) { b[272 + 40] ^= 0x01; });  // offset 18, the indexed record
  auto log = open();
  EXPECT_EQ(log->recoveryReport().tail_bytes_truncated, 2 * kFrame);
  expectIntactPrefix(*log, 18);
}

TEST_F(Recovery, BitRotBeforeTheLastIndexEntryIsFoundWhenRead) {
  damage(16, "log", [](auto& b) { b[24 + kFrame + 40] ^= 0x01; });  // offset 17
  auto log = open();
  EXPECT_EQ(log->recoveryReport().tail_truncations, 0u);  // the scan starts at offset 18
  int status = 0;
  EXPECT_EQ(readAll(*log, 0, 1 << 20, &status).size(), 17u);
  EXPECT_EQ(status, -EBADMSG);
  ReadResult r = log->read(17, 1 << 20, [](const RecordView&) { return true; });
  EXPECT_EQ(r.status, -EBADMSG);
  EXPECT_EQ(r.next_offset, 20u);  // active segment: on to what is appended next
  EXPECT_GE(messageCount(), 1u);
}

TEST_F(Recovery, UnreadableSegmentHeaderFailsOpenLoudly) {
  damage(8, "log", [](auto& b) { b[0] = 'X'; });
  LogOptions o = test::smallOptions(work_.path());
  std::vector<std::string> messages;
  o.on_message = [&](LogSeverity s, const std::string& m) {
    if (s == LogSeverity::Error) messages.push_back(m);
  };
  std::unique_ptr<Log> log;
  EXPECT_EQ(Log::open(o, &log), -EBADMSG);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find(segmentFile(8, "log")), std::string::npos);
}

}  // namespace
}  // namespace mqgw::nlog
