// A retained append's two stores and their one completion (joined_completion.h).
#include "joined_completion.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace mqgw::cluster {
namespace {

// A store that keeps its completion for the test to call, or refuses with `refuse`.
struct Store {
  int refuse = MQGW_OK;
  mqgw_append_cb cb = nullptr;
  void* arg = nullptr;
  int operator()(mqgw_append_cb c, void* a) {
    if (refuse != MQGW_OK) return refuse;
    cb = c;
    arg = a;
    return MQGW_OK;
  }
  void complete(int status) { cb(arg, status); }
};

std::vector<int> calls;
void record(void*, int status) { calls.push_back(status); }

class JoinedCompletionTest : public ::testing::Test {
 protected:
  void SetUp() override { calls.clear(); }
};

TEST_F(JoinedCompletionTest, CompletesOnceWhenBothAreStored) {
  Store log, retained;
  ASSERT_EQ(appendRetained(record, nullptr, std::ref(log), std::ref(retained)), MQGW_OK);
  log.complete(MQGW_OK);
  EXPECT_TRUE(calls.empty());
  retained.complete(MQGW_OK);
  EXPECT_EQ(calls, std::vector<int>{MQGW_OK});
}

TEST_F(JoinedCompletionTest, TheFirstFailureIsReported) {
  Store log, retained;
  ASSERT_EQ(appendRetained(record, nullptr, std::ref(log), std::ref(retained)), MQGW_OK);
  retained.complete(MQGW_E_UNAVAILABLE);
  log.complete(MQGW_E_NOMEM);
  EXPECT_EQ(calls, std::vector<int>{MQGW_E_UNAVAILABLE});
}

TEST_F(JoinedCompletionTest, ARefusedLogStoreIsReturnedWithoutCallback) {
  Store log{MQGW_E_UNAVAILABLE}, retained;
  EXPECT_EQ(appendRetained(record, nullptr, std::ref(log), std::ref(retained)),
            MQGW_E_UNAVAILABLE);
  EXPECT_EQ(retained.cb, nullptr) << "the retained record must not be written";
  EXPECT_TRUE(calls.empty());
}

TEST_F(JoinedCompletionTest, ARefusedRetainedStoreCompletesWithTheRefusal) {
  Store log, retained{MQGW_E_INVAL};
  ASSERT_EQ(appendRetained(record, nullptr, std::ref(log), std::ref(retained)), MQGW_OK);
  EXPECT_TRUE(calls.empty()) << "the log record is still on its way";
  log.complete(MQGW_OK);
  EXPECT_EQ(calls, std::vector<int>{MQGW_E_INVAL});
}

}  // namespace
}  // namespace mqgw::cluster
