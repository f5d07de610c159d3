// mqgw-native-state-bench: cursor write throughput of the native backend's state store.
// N sessions each update their cursor K times, in putCursors calls of B rows, three ways:
//   burst  every update queued as fast as possible, one flush at the end (max coalescing)
//   rounds one flush per round of N updates (every session's cursor changes once per commit)
//   small  one flush per putCursors call of B rows (commits of B rows each, little to coalesce)
// "ops" counts the calls covered: every cursor row plus the one floor each putCursors carries.
// Usage: mqgw-native-state-bench [--sessions N] [--updates K] [--batch B] [--full] [--dir D]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "state_store.h"

namespace {

using mqgw::native::CursorRow;
using mqgw::native::Position;
using mqgw::native::StateStore;
using mqgw::native::StateStoreOptions;

struct Config {
  int sessions = 10000;
  int updates = 10;
  int batch = 100;
  bool syncFull = false;
  std::string dir = std::filesystem::temp_directory_path().string();
};

enum class Mode { kBurst, kRounds, kSmall };

// Queues round `round` for every session; flushes per call or per round depending on mode.
bool writeRound(StateStore& store, const Config& cfg, const std::vector<std::string>& ids,
                int round, Mode mode) {
  std::vector<std::vector<Position>> cursors(cfg.batch);
  std::vector<CursorRow> rows;
  for (int first = 0; first < cfg.sessions; first += cfg.batch) {
    rows.clear();
    int last = std::min(first + cfg.batch, cfg.sessions);
    for (int i = first; i < last; ++i) {
      auto& next = cursors[i - first];
      next.assign(1, Position{0, static_cast<uint64_t>(round) * 1000000 + i});
      rows.push_back(CursorRow{ids[i], next});
    }
    Position floor{0, static_cast<uint64_t>(round) * 1000000};
    store.putCursors(rows, {&floor, 1});
    if (mode == Mode::kSmall && !store.flush()) return false;
  }
  return mode != Mode::kRounds || store.flush();
}

int runMode(const Config& cfg, Mode mode, const char* name) {
  std::string path = cfg.dir + "/mqgw-state-bench-" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::string error;
  StateStoreOptions options;
  options.path = path;
  options.syncFull = cfg.syncFull;
  auto store = StateStore::open(options, &error);
  if (!store) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  store->start();
  std::vector<std::string> ids;
  for (int i = 0; i < cfg.sessions; ++i) {
    ids.push_back("client-" + std::to_string(i));
    store->putSession(ids.back(), std::vector<uint8_t>(64, 0xab));
  }
  if (!store->flush()) return 1;
  auto before = store->stats();
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < cfg.updates; ++round) {
    if (!writeRound(*store, cfg, ids, round, mode)) return 1;
  }
  if (!store->flush()) return 1;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto after = store->stats();
  double commits = static_cast<double>(after.commits - before.commits);
  double rows = static_cast<double>(after.rowsWritten - before.rowsWritten);
  double ops = static_cast<double>(after.opsCommitted - before.opsCommitted);
  std::printf("%-6s %8.3f s %7.0f commits %9.0f rows %9.0f ops | %9.0f commits/s %10.0f "
              "rows/s %10.0f ops/s\n",
              name, seconds, commits, rows, ops, commits / seconds, rows / seconds,
              ops / seconds);
  store->stop();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}

bool parse(int argc, char** argv, Config* cfg) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool hasValue = i + 1 < argc;
    if (arg == "--full") {
      cfg->syncFull = true;
    } else if (arg == "--sessions" && hasValue) {
      cfg->sessions = std::atoi(argv[++i]);
    } else if (arg == "--updates" && hasValue) {
      cfg->updates = std::atoi(argv[++i]);
    } else if (arg == "--batch" && hasValue) {
      cfg->batch = std::atoi(argv[++i]);
    } else if (arg == "--dir" && hasValue) {
      cfg->dir = argv[++i];
    } else {
      return false;
    }
  }
  return cfg->sessions > 0 && cfg->updates > 0 && cfg->batch > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  if (!parse(argc, argv, &cfg)) {
    std::fprintf(stderr, "usage: %s [--sessions N] [--updates K] [--batch B] [--full] [--dir D]\n",
                 argv[0]);
    return 2;
  }
  std::printf("%d sessions x %d cursor updates, %d rows per putCursors, synchronous=%s, %s\n",
              cfg.sessions, cfg.updates, cfg.batch, cfg.syncFull ? "FULL" : "NORMAL",
              cfg.dir.c_str());
  int rc = runMode(cfg, Mode::kBurst, "burst");
  if (rc == 0) rc = runMode(cfg, Mode::kRounds, "rounds");
  if (rc == 0) rc = runMode(cfg, Mode::kSmall, "small");
  return rc;
}
