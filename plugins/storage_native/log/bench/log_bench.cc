// Throughput of LogWriter group commit (and of sequential reads), plain wall-clock timing.
//   native_log_bench [--policy always|interval|never] [--records N] [--body BYTES]
//                    [--threads T] [--interval-ms MS] [--window W] [--dir PATH]
// --window W: each producer keeps at most W appends in flight (like clients awaiting PUBACK);
// 0 means open loop (queue as fast as possible).
// The log is created in a fresh directory (default: under /tmp) and removed afterwards.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "log/log_writer.h"

namespace {

using namespace mqgw::nlog;
using Clock = std::chrono::steady_clock;

struct Args {
  FsyncPolicy policy = FsyncPolicy::Never;
  uint64_t records = 1'000'000;
  size_t body = 100;
  int threads = 4;
  uint32_t interval_ms = 100;
  uint64_t window = 0;
  std::string dir;
};

bool parse(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--policy") {
      if (v == "always") a->policy = FsyncPolicy::Always;
      else if (v == "interval") a->policy = FsyncPolicy::Interval;
      else if (v == "never") a->policy = FsyncPolicy::Never;
      else return false;
    } else if (k == "--records") {
      a->records = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "--body") {
      a->body = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "--threads") {
      a->threads = std::max(1, std::atoi(v.c_str()));
    } else if (k == "--interval-ms") {
      a->interval_ms = static_cast<uint32_t>(std::atoi(v.c_str()));
    } else if (k == "--window") {
      a->window = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "--dir") {
      a->dir = v;
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse(argc, argv, &args)) {
    std::fprintf(stderr, "usage: %s [--policy always|interval|never] [--records N] [--body B] "
                         "[--threads T] [--interval-ms MS] [--window W] [--dir PATH]\n", argv[0]);
    return 2;
  }
  std::string dir = args.dir;
  if (dir.empty()) {
    std::string tmpl = "/tmp/nlog-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
  }
  LogOptions lo;
  lo.dir = dir;
  std::unique_ptr<Log> log;
  if (int rc = Log::open(lo, &log); rc < 0) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), std::strerror(-rc));
    return 1;
  }
  WriterOptions wo;
  wo.fsync = args.policy;
  wo.fsync_interval_ms = args.interval_ms;
  auto writer = std::make_unique<LogWriter>(*log, wo);
  std::atomic<uint64_t> ok{0}, failed{0}, eagain{0};
  std::vector<uint8_t> body(args.body, 'x');
  auto start = Clock::now();
  std::vector<std::thread> producers;
  std::vector<std::atomic<uint64_t>> in_flight(args.threads);
  for (int t = 0; t < args.threads; ++t) {
    producers.emplace_back([&, t] {
      uint64_t n = args.records / args.threads + (t < static_cast<int>(args.records % args.threads));
      auto done = [&, t](int s, uint64_t) {
        (s == 0 ? ok : failed)++;
        in_flight[t]--;
      };
      for (uint64_t i = 0; i < n; ++i) {
        while (args.window != 0 && in_flight[t].load() >= args.window) std::this_thread::yield();
        in_flight[t]++;
        while (writer->append(body, done) == -EAGAIN) {
          eagain++;
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& p : producers) p.join();
  writer->flush();
  double write_s = secondsSince(start);
  WriterStats st = writer->stats();
  writer.reset();

  auto read_start = Clock::now();
  uint64_t next = log->startOffset(), read_records = 0;
  for (;;) {
    ReadResult r = log->read(next, 1 << 20, [&](const RecordView&) { return true; });
    if (r.status != 0 || r.records == 0) break;
    read_records += r.records;
    next = r.next_offset;
  }
  double read_s = secondsSince(read_start);

  const char* names[] = {"always", "interval", "never"};
  double mb = static_cast<double>(ok.load() * (args.body + 24)) / 1e6;
  std::printf("policy=%s threads=%d body=%zu records=%llu failed=%llu\n",
              names[static_cast<int>(args.policy)], args.threads, args.body,
              static_cast<unsigned long long>(ok.load()),
              static_cast<unsigned long long>(failed.load()));
  std::printf("write: %.3f s, %.0f records/s, %.1f MB/s on disk\n", write_s, ok / write_s,
              mb / write_s);
  std::printf("batches=%llu (%.1f records/batch) fsyncs=%llu (%.1f records/fsync) eagain=%llu\n",
              static_cast<unsigned long long>(st.batches),
              st.batches ? static_cast<double>(st.records) / st.batches : 0.0,
              static_cast<unsigned long long>(st.fsyncs),
              st.fsyncs ? static_cast<double>(st.records) / st.fsyncs : 0.0,
              static_cast<unsigned long long>(eagain.load()));
  std::printf("read: %llu records in %.3f s, %.0f records/s\n",
              static_cast<unsigned long long>(read_records), read_s, read_records / read_s);
  log.reset();
  if (args.dir.empty()) std::filesystem::remove_all(dir);
  return failed.load() == 0 && read_records == ok.load() ? 0 : 1;
}
