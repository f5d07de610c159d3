#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "gateway/gateway.h"
#include "loop/worker.h"
#include "message/message.h"
#include "metrics/metrics.h"

namespace mqgw {
namespace {

template <class F>
bool waitFor(F&& cond, int ms = 3000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

class WorkerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    metrics::registerCoreMetrics();
    Gateway::get().createWorkers(2);
    for (auto& w : Gateway::get().workers()) w->start();
  }
  static void TearDownTestSuite() {
    for (auto& w : Gateway::get().workers()) w->requestStop();
    for (auto& w : Gateway::get().workers()) w->join();
    for (auto& w : Gateway::get().workers()) EXPECT_TRUE(w->finished());
    Gateway::get().workers().clear();  // ~Worker asserts the loop closes cleanly
  }
};

TEST_F(WorkerTest, PostRunsOnTheTargetLoopThread) {
  std::atomic<int> ranOn{-1};
  struct Ctx {
    std::atomic<int>* out;
  } ctx{&ranOn};
  ASSERT_TRUE(Gateway::get().worker(1).post(
      [](void* a) {
        static_cast<Ctx*>(a)->out->store(static_cast<int>(Worker::current()->index()));
      },
      &ctx));
  EXPECT_TRUE(waitFor([&] { return ranOn.load() == 1; }));
}

TEST_F(WorkerTest, ManyPostsFromManyThreadsAllRun) {
  static std::atomic<int> count{0};
  count = 0;
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t)
    producers.emplace_back([t] {
      for (int i = 0; i < 2500; ++i)
        Gateway::get().worker(t % 2).post([](void*) { count.fetch_add(1); }, nullptr);
    });
  for (auto& p : producers) p.join();
  EXPECT_TRUE(waitFor([] { return count.load() == 10000; }));
}

TEST_F(WorkerTest, ForwardHandsTheMessageToTheOtherLoopAndReleasesIt) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {"x/y", 3};
  mqgw_message* m = message::create(v);
  int64_t before = metrics::value("mqgw_messages_forwarded_total");
  struct Ctx {
    mqgw_message* m;
  } ctx{m};
  message::ref(m);  // the forwarded reference; ours stays
  Gateway::get().worker(0).post(
      [](void* a) { Worker::current()->forward(1, static_cast<Ctx*>(a)->m); }, &ctx);
  EXPECT_TRUE(waitFor([&] { return metrics::value("mqgw_messages_forwarded_total") == before + 1; }));
  EXPECT_TRUE(waitFor([&] { return m->refs.load() == 1; }));  // worker 1 dropped its ref
  message::unref(m);
}

}  // namespace
}  // namespace mqgw
