// A committed batch survives SIGKILL: a child process writes, flushes and is killed at once
// (WAL not checkpointed); the parent reopens the file and finds every committed row.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "test_support.h"

namespace mqgw::native::testing {
namespace {

constexpr int kSessions = 2000;

// Runs in the forked child: never returns.
[[noreturn]] void writeFlushAndDie(const std::string& path) {
  auto store = openStore(path);
  if (!store) _exit(2);
  store->start();
  for (int i = 0; i < kSessions; ++i) {
    std::string id = "dev" + std::to_string(i);
    store->putSession(id, bytes("state-" + id));
    std::vector<Position> next{{0, static_cast<uint64_t>(i) * 10}};
    CursorRow row{id, next};
    Position floor{0, static_cast<uint64_t>(i)};
    store->putCursors({&row, 1}, {&floor, 1});
  }
  store->putRetained("sensors/1", bytes("retained-1"));
  store->putMeta("retained_applied_offset", 1234);
  if (!store->flush()) _exit(3);
  kill(getpid(), SIGKILL);
  _exit(4);
}

TEST(Crash, CommittedBatchSurvivesSigkill) {
  TempDir dir;
  std::string path = dir.file("crash.db");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) writeFlushAndDie(path);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_GT(std::filesystem::file_size(path + "-wal"), 0u)
      << "the rows are still only in the WAL: recovery is what this test checks";

  Loaded loaded = reload(path);
  ASSERT_EQ(loaded.sessions.size(), static_cast<size_t>(kSessions));
  EXPECT_EQ(loaded.sessions["dev0"].state, "state-dev0");
  EXPECT_EQ(loaded.sessions["dev1999"].state, "state-dev1999");
  EXPECT_EQ(loaded.sessions["dev1999"].cursor, (std::vector<Position>{{0, 19990}}));
  EXPECT_EQ(loaded.floors[0], static_cast<uint64_t>(kSessions - 1));
  EXPECT_EQ(loaded.retained["sensors/1"], "retained-1");
  EXPECT_EQ(loaded.meta["retained_applied_offset"], 1234u);
}

}  // namespace
}  // namespace mqgw::native::testing
