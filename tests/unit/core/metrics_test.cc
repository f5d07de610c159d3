#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/metrics.h"

namespace mqgw {
namespace {

TEST(Metrics, RegisterIsIdempotentByName) {
  uint32_t a = metrics::registerMetric("test_idem_total", "x", false);
  uint32_t b = metrics::registerMetric("test_idem_total", "x", false);
  EXPECT_EQ(a, b);
}

TEST(Metrics, ShardedAddsSumAcrossThreads) {
  uint32_t id = metrics::registerMetric("test_threads_total", "sum of adds", false);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([id] {
      for (int i = 0; i < 10000; ++i) metrics::add(id, 1);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(metrics::value("test_threads_total"), 40000);
}

TEST(Metrics, GaugesGoDownAcrossThreads) {
  uint32_t id = metrics::registerMetric("test_gauge", "g", true);
  std::thread up([id] { metrics::add(id, 5); });
  up.join();
  metrics::add(id, -2);  // a different thread's slab
  EXPECT_EQ(metrics::value("test_gauge"), 3);
  std::string text = metrics::prometheusText();
  EXPECT_NE(text.find("# TYPE test_gauge gauge\ntest_gauge 3\n"), std::string::npos) << text;
}

TEST(Metrics, UnknownIdIsIgnored) {
  metrics::add(UINT32_MAX, 1);
  EXPECT_EQ(metrics::value("no_such_metric"), -1);
}

}  // namespace
}  // namespace mqgw
