// match() is the publish hot path: once warmed up it must not allocate. Counted by replacing the
// global operator new in this test binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "router/topic_tree.h"

namespace {
thread_local size_t allocations = 0;
}

void* operator new(size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace mqgw::router {
namespace {

TEST(TopicTreeAlloc, MatchDoesNotAllocateOnceWarm) {
  TopicTree<int> t;
  for (int i = 0; i < 100; ++i) t.insertOrGet("dev/" + std::to_string(i) + "/+/state") = i;
  t.insertOrGet("dev/#") = -1;
  t.insertOrGet("+/+/+/+") = -2;
  const std::string topic = "dev/42/lamp/state";
  int sum = 0;
  t.match(topic, [&](int& v) { sum += v; });  // warm-up grows the scratch stack
  EXPECT_EQ(sum, 42 - 1 - 2);

  size_t before = allocations;
  for (int i = 0; i < 1000; ++i) t.match(topic, [&](int& v) { sum += v; });
  EXPECT_EQ(allocations, before);
  EXPECT_EQ(sum, 39 * 1001);

  // The counter works: an insert does allocate.
  t.insertOrGet("new/filter");
  EXPECT_GT(allocations, before);
}

}  // namespace
}  // namespace mqgw::router
