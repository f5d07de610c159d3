// Disk full and I/O errors: failed completions, no garbage left on disk, health reporting,
// recovery once space returns, and a log that reopens cleanly afterwards.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "log/log_writer.h"
#include "log/record_format.h"
#include "test_util.h"

namespace mqgw::nlog {
namespace {

using test::bodyFor;
using test::FaultFileOps;
using test::segmentFile;
using test::TempDir;

struct Health {
  std::mutex mu;
  std::vector<std::pair<bool, int>> events;
  void operator()(bool healthy, int error) {
    std::lock_guard lock(mu);
    events.push_back({healthy, error});
  }
  std::vector<std::pair<bool, int>> snapshot() {
    std::lock_guard lock(mu);
    return events;
  }
};

std::pair<int, uint64_t> appendAndWait(LogWriter& w, uint64_t i) {
  std::promise<std::pair<int, uint64_t>> done;
  auto fut = done.get_future();
  EXPECT_EQ(w.append(bodyFor(i, 100), [&](int s, uint64_t o) { done.set_value({s, o}); }), 0);
  return fut.get();
}

// After the fault is gone: appends until one succeeds (the first may still land in a backoff
// window on a slow machine). Failed attempts consume no offset, so the result is deterministic.
std::pair<int, uint64_t> appendUntilOk(LogWriter& w, uint64_t i) {
  std::pair<int, uint64_t> r{-1, 0};
  for (int attempt = 0; attempt < 200 && r.first != 0; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    r = appendAndWait(w, i);
  }
  return r;
}

LogOptions faultyOptions(const TempDir& dir, FaultFileOps* ops) {
  LogOptions o = test::smallOptions(dir.path());
  o.segment_bytes = 64 * 1024;
  o.file_ops = ops;
  return o;
}

TEST(WriterFailure, DiskFullFailsCompletionsLeavesNoGarbageAndRecovers) {
  TempDir dir;
  FaultFileOps ops;
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(faultyOptions(dir, &ops), &log), 0);
  Health health;
  WriterOptions wo;
  wo.retry_backoff_ms = 30;
  wo.on_health = [&](bool h, int e) { health(h, e); };
  LogWriter writer(*log, wo);
  for (uint64_t i = 0; i < 10; ++i) ASSERT_EQ(appendAndWait(writer, i), std::make_pair(0, i));
  const std::string data = dir.file(segmentFile(0, "log"));
  const uint64_t good_size = test::fileSize(data);

  ops.write_budget = 50;  // a short write, then ENOSPC: half a record reaches the file
  auto failed = appendAndWait(writer, 10);
  EXPECT_EQ(failed.first, -ENOSPC);
  EXPECT_FALSE(writer.healthy());
  EXPECT_EQ(writer.lastError(), -ENOSPC);
  EXPECT_EQ(test::fileSize(data), good_size);  // the partial record was cut off again
  EXPECT_EQ(appendAndWait(writer, 10).first, -ENOSPC);  // within the backoff: fails fast
  EXPECT_EQ(log->endOffset(), 10u);

  ops.write_budget = -1;  // space returns
  EXPECT_EQ(appendUntilOk(writer, 10), std::make_pair(0, uint64_t{10}));  // dense: 10 again
  EXPECT_TRUE(writer.healthy());
  auto events = health.snapshot();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], std::make_pair(false, -ENOSPC));
  EXPECT_EQ(events[1], std::make_pair(true, 0));
  EXPECT_GE(writer.stats().failed_records, 2u);
  writer.stop();
  log.reset();

  LogOptions plain = test::smallOptions(dir.path());
  plain.segment_bytes = 64 * 1024;
  ASSERT_EQ(Log::open(plain, &log), 0);
  EXPECT_EQ(log->recoveryReport().tail_truncations, 0u);
  EXPECT_EQ(log->recoveryReport().indexes_rebuilt, 0u);
  auto records = test::readAll(*log);
  ASSERT_EQ(records.size(), 11u);
  for (uint64_t i = 0; i < 11; ++i) EXPECT_EQ(records[i].body, bodyFor(i, 100));
}

TEST(WriterFailure, FsyncErrorRollsTheBatchBackBeforeReadersSeeIt) {
  TempDir dir;
  FaultFileOps ops;
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(faultyOptions(dir, &ops), &log), 0);
  WriterOptions wo;
  wo.retry_backoff_ms = 10;
  LogWriter writer(*log, wo);
  ASSERT_EQ(appendAndWait(writer, 0).first, 0);
  ops.fail_sync = -EIO;
  EXPECT_EQ(appendAndWait(writer, 1).first, -EIO);
  EXPECT_EQ(log->endOffset(), 1u);
  EXPECT_EQ(test::fileSize(dir.file(segmentFile(0, "log"))), 24u + 124);
  EXPECT_FALSE(writer.healthy());
  ops.fail_sync = 0;
  EXPECT_EQ(appendUntilOk(writer, 1), std::make_pair(0, uint64_t{1}));
  EXPECT_TRUE(writer.healthy());
  EXPECT_EQ(test::readAll(*log).size(), 2u);
}

TEST(WriterFailure, FailingToCreateTheNextSegmentLeavesNoHalfMadeFiles) {
  TempDir dir;
  FaultFileOps ops;
  LogOptions o = test::smallOptions(dir.path());  // 8 records of 100 bytes per segment
  o.file_ops = &ops;
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(o, &log), 0);
  WriterOptions wo;
  wo.retry_backoff_ms = 10;
  LogWriter writer(*log, wo);
  for (uint64_t i = 0; i < 8; ++i) ASSERT_EQ(appendAndWait(writer, i).first, 0);
  ops.fail_open = -ENOSPC;
  EXPECT_EQ(appendAndWait(writer, 8).first, -ENOSPC);
  EXPECT_FALSE(std::filesystem::exists(dir.file(segmentFile(8, "log"))));
  EXPECT_FALSE(std::filesystem::exists(dir.file(segmentFile(8, "idx"))));
  ops.fail_open = 0;
  EXPECT_EQ(appendUntilOk(writer, 8), std::make_pair(0, uint64_t{8}));
  EXPECT_TRUE(std::filesystem::exists(dir.file(segmentFile(8, "log"))));
  EXPECT_EQ(test::readAll(*log).size(), 9u);
}

// One batch crossing a roll: the part in the old (rolled, synced, published) segment stays,
// the part that failed in the new segment is cut; offsets continue right after the survivors.
TEST(WriterFailure, ABatchFailingAfterARollKeepsWhatTheRollPublished) {
  TempDir dir;
  FaultFileOps ops;
  LogOptions o = test::smallOptions(dir.path());
  o.file_ops = &ops;
  std::unique_ptr<Log> log;
  ASSERT_EQ(Log::open(o, &log), 0);
  std::vector<uint8_t> frames(12 * frameSize(100));
  for (uint64_t i = 0; i < 12; ++i) stageFrame(frames.data() + i * frameSize(100), bodyFor(i, 100));
  ops.write_budget = 8 * 124 + 24 /* new segment's headers */ + 24 + 60;
  Log::AppendResult result;
  EXPECT_EQ(log->appendFrames(frames, 1, &result), -ENOSPC);
  EXPECT_EQ(result.first_offset, 0u);
  EXPECT_EQ(result.rolls, 1u);
  log->rollbackUnpublished();
  EXPECT_EQ(log->endOffset(), 8u);
  EXPECT_EQ(log->writtenEndOffset(), 8u);
  EXPECT_EQ(test::fileSize(dir.file(segmentFile(8, "log"))), 24u);
  ops.write_budget = -1;
  uint64_t offset = 0;
  ASSERT_EQ(log->append(bodyFor(8, 100), &offset), 0);
  EXPECT_EQ(offset, 8u);
  EXPECT_EQ(test::readAll(*log).size(), 9u);
}

}  // namespace
}  // namespace mqgw::nlog
