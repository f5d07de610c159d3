// Group commit: concurrent appenders, completion order and count, fsyncs per policy.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "log/log_writer.h"
#include "test_util.h"

namespace mqgw::nlog {
namespace {

using test::bodyFor;
using test::FaultFileOps;
using test::TempDir;

struct Fixture {
  TempDir dir;
  FaultFileOps ops;
  std::unique_ptr<Log> log;

  explicit Fixture(uint64_t segment_bytes = 64u << 20) {
    LogOptions o;
    o.dir = dir.path();
    o.segment_bytes = segment_bytes;
    o.file_ops = &ops;
    EXPECT_EQ(Log::open(o, &log), 0);
  }
};

// Appends one record and waits for its completion.
std::pair<int, uint64_t> appendAndWait(LogWriter& w, uint64_t i) {
  std::promise<std::pair<int, uint64_t>> done;
  auto fut = done.get_future();
  EXPECT_EQ(w.append(bodyFor(i, 100), [&](int s, uint64_t o) { done.set_value({s, o}); }), 0);
  return fut.get();
}

TEST(LogWriter, FourThreadsEveryCompletionOnceOffsetsDenseInCompletionOrder) {
  Fixture f(256 * 1024);  // several rolls on the way
  LogWriter writer(*f.log, WriterOptions{});
  constexpr int kThreads = 4;
  constexpr uint64_t kPerThread = 5000;
  struct Done {
    int thread;
    uint64_t seq;
    int status;
    uint64_t offset;
    std::thread::id on;
  };
  std::vector<Done> completions;  // only the writer thread touches it until stop()
  completions.reserve(kThreads * kPerThread);
  std::vector<std::thread> appenders;
  for (int t = 0; t < kThreads; ++t) {
    appenders.emplace_back([&, t] {
      for (uint64_t s = 0; s < kPerThread; ++s) {
        uint64_t id = t * kPerThread + s;
        int rc = writer.append(bodyFor(id, 100), [&completions, t, s](int st, uint64_t off) {
          completions.push_back({t, s, st, off, std::this_thread::get_id()});
        });
        ASSERT_EQ(rc, 0);
      }
    });
  }
  for (auto& a : appenders) a.join();
  writer.stop();

  ASSERT_EQ(completions.size(), kThreads * kPerThread);
  std::map<std::pair<int, uint64_t>, uint64_t> offset_of;
  std::vector<uint64_t> last_offset(kThreads, 0);
  std::vector<bool> any(kThreads, false);
  for (size_t i = 0; i < completions.size(); ++i) {
    const Done& d = completions[i];
    ASSERT_EQ(d.status, 0);
    EXPECT_EQ(d.offset, i) << "completion order must be offset order";
    EXPECT_EQ(d.on, completions[0].on);  // all on the writer thread
    EXPECT_TRUE(offset_of.emplace(std::make_pair(d.thread, d.seq), d.offset).second);
    if (any[d.thread]) {
      EXPECT_GT(d.offset, last_offset[d.thread]);  // per-thread FIFO
    }
    any[d.thread] = true;
    last_offset[d.thread] = d.offset;
  }
  // The bytes at each offset are the ones that appender sent.
  std::map<uint64_t, uint64_t> id_at;
  for (const auto& [key, off] : offset_of) id_at[off] = key.first * kPerThread + key.second;
  auto records = test::readAll(*f.log);
  ASSERT_EQ(records.size(), kThreads * kPerThread);
  for (const auto& r : records) ASSERT_EQ(r.body, bodyFor(id_at[r.offset], 100)) << r.offset;
  WriterStats st = writer.stats();
  EXPECT_EQ(st.records, kThreads * kPerThread);
  EXPECT_EQ(st.failed_records, 0u);
  EXPECT_LT(st.fsyncs * 2, st.records) << "batches should carry many records per fsync";
}

TEST(LogWriter, AlwaysSyncsOncePerBatchAndBatchesWhatQueuedMeanwhile) {
  Fixture f;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> sync_calls{0};
  f.ops.before_sync = [&] {
    if (sync_calls++ == 0) released.wait();  // hold the first batch's fsync
  };
  uint64_t base = f.ops.syncs.load();
  LogWriter writer(*f.log, WriterOptions{});
  std::atomic<int> ok{0};
  ASSERT_EQ(writer.append(bodyFor(0, 100), [&](int s, uint64_t) { ok += s == 0; }), 0);
  while (sync_calls.load() == 0) std::this_thread::yield();
  for (uint64_t i = 1; i <= 100; ++i) {  // all queue up behind the held fsync
    ASSERT_EQ(writer.append(bodyFor(i, 100), [&](int s, uint64_t) { ok += s == 0; }), 0);
  }
  release.set_value();
  ASSERT_EQ(writer.flush(), 0);
  EXPECT_EQ(ok.load(), 101);
  EXPECT_EQ(f.ops.syncs.load() - base, 2u);  // one batch of 1, one batch of 100
  EXPECT_EQ(writer.stats().batches, 2u);
  EXPECT_EQ(writer.stats().fsyncs, 2u);
  for (uint64_t i = 0; i < 5; ++i) appendAndWait(writer, 101 + i);
  EXPECT_EQ(f.ops.syncs.load() - base, 7u);
  writer.stop();
  EXPECT_EQ(f.ops.syncs.load() - base, 7u);  // nothing left unsynced
}

TEST(LogWriter, NeverSyncsUntilFlush) {
  Fixture f;
  uint64_t base = f.ops.syncs.load();
  WriterOptions wo;
  wo.fsync = FsyncPolicy::Never;
  LogWriter writer(*f.log, wo);
  for (uint64_t i = 0; i < 500; ++i) {
    ASSERT_EQ(writer.append(bodyFor(i, 100), [](int s, uint64_t) { EXPECT_EQ(s, 0); }), 0);
  }
  auto [status, offset] = appendAndWait(writer, 500);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(offset, 500u);
  EXPECT_EQ(f.ops.syncs.load(), base);
  EXPECT_EQ(f.log->endOffset(), 501u);  // published without fsync
  ASSERT_EQ(writer.flush(), 0);
  EXPECT_EQ(f.ops.syncs.load(), base + 1);
  writer.stop();
  EXPECT_EQ(f.ops.syncs.load(), base + 1);
}

TEST(LogWriter, IntervalSyncsAtMostEveryIntervalAndCompletesBeforeSyncing) {
  Fixture f;
  uint64_t base = f.ops.syncs.load();
  WriterOptions wo;
  wo.fsync = FsyncPolicy::Interval;
  wo.fsync_interval_ms = 50;
  auto start = std::chrono::steady_clock::now();
  LogWriter writer(*f.log, wo);
  std::promise<uint64_t> syncs_at_completion;
  ASSERT_EQ(writer.append(bodyFor(0, 100),
                          [&](int s, uint64_t) {
                            EXPECT_EQ(s, 0);
                            syncs_at_completion.set_value(f.ops.syncs.load());
                          }),
            0);
  EXPECT_EQ(syncs_at_completion.get_future().get(), base);  // completed after write(), unsynced
  for (uint64_t i = 1; i < 60; ++i) {
    appendAndWait(writer, i);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the timer syncs the rest
  uint64_t syncs = f.ops.syncs.load() - base;
  EXPECT_GE(syncs, 2u);
  EXPECT_LE(syncs, static_cast<uint64_t>((elapsed_ms + 300) / 50 + 2));
  EXPECT_LT(syncs, 60u);
  uint64_t before_stop = f.ops.syncs.load();
  writer.stop();
  EXPECT_EQ(f.ops.syncs.load(), before_stop);  // the timer already synced everything
}

void countingCompletion(void* arg, int status, uint64_t) {
  if (status == 0) ++*static_cast<std::atomic<int>*>(arg);
}

TEST(LogWriter, PlainFunctionCompletionsFlushAndShutdown) {
  Fixture f;
  LogWriter writer(*f.log, WriterOptions{});
  std::atomic<int> ok{0};
  for (uint64_t i = 0; i < 50; ++i) {
    ASSERT_EQ(writer.append(bodyFor(i, 10), countingCompletion, &ok), 0);
  }
  ASSERT_EQ(writer.flush(), 0);
  EXPECT_EQ(ok.load(), 50);  // flush returns after the completions ran
  EXPECT_EQ(writer.append(std::vector<uint8_t>(f.log->options().max_record_bytes + 1),
                          countingCompletion, &ok),
            -EMSGSIZE);
  writer.stop();
  writer.stop();
  EXPECT_EQ(writer.append(bodyFor(1, 10), countingCompletion, &ok), -ESHUTDOWN);
  EXPECT_EQ(ok.load(), 50);
}

TEST(LogWriter, FullQueueRefusesWithEagain) {
  Fixture f;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> holding{false};
  f.ops.before_sync = [&] {
    if (!holding.exchange(true)) released.wait();
  };
  WriterOptions wo;
  wo.max_queued_bytes = 1000;
  LogWriter writer(*f.log, wo);
  std::atomic<int> completed{0};
  auto count = [&](int, uint64_t) { ++completed; };
  ASSERT_EQ(writer.append(bodyFor(0, 100), count), 0);
  while (!holding.load()) std::this_thread::yield();
  int accepted = 0;
  int rc = 0;
  while ((rc = writer.append(bodyFor(1, 100), count)) == 0) ++accepted;
  EXPECT_EQ(rc, -EAGAIN);
  EXPECT_EQ(accepted, 8);  // 8 frames of 124 bytes fit in 1000
  release.set_value();
  ASSERT_EQ(writer.flush(), 0);
  EXPECT_EQ(completed.load(), 1 + accepted);
}

}  // namespace
}  // namespace mqgw::nlog
