#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <thread>
#include <vector>

#include <cstring>
#include <string>

#include "message/message.h"

namespace mqgw {
namespace {

mqgw_str s(const char* text) { return {text, std::strlen(text)}; }

TEST(Message, CreateCopiesEveryField) {
  std::string topic = "a/b", payload = "hello", ct = "text/plain";
  mqgw_user_prop props[2] = {{s("k1"), s("v1")}, {s("k2"), s("")}};
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {topic.data(), topic.size()};
  v.payload = {payload.data(), payload.size()};
  v.qos = 1;
  v.retain = 1;
  v.content_type = {ct.data(), ct.size()};
  v.user_props = props;
  v.user_prop_count = 2;
  v.publisher_id = s("client-1");
  mqgw_message* m = message::create(v);
  topic[0] = 'X';  // the message must not alias the caller's bytes
  payload[0] = 'X';
  const auto& o = m->view;
  EXPECT_EQ(std::string(o.topic.ptr, o.topic.len), "a/b");
  EXPECT_EQ(std::string(o.payload.ptr, o.payload.len), "hello");
  EXPECT_EQ(std::string(o.content_type.ptr, o.content_type.len), "text/plain");
  EXPECT_EQ(std::string(o.publisher_id.ptr, o.publisher_id.len), "client-1");
  ASSERT_EQ(o.user_prop_count, 2u);
  EXPECT_NE(o.user_props, props);
  EXPECT_EQ(std::string(o.user_props[0].key.ptr, o.user_props[0].key.len), "k1");
  EXPECT_EQ(std::string(o.user_props[1].value.ptr, o.user_props[1].value.len), "");
  EXPECT_EQ(o.qos, 1);
  EXPECT_EQ(o.retain, 1);
  EXPECT_GT(o.created_ms, 1600000000000u);
  message::unref(m);
}

TEST(Message, IdsAreUniqueAndSortByCreation) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = s("t");
  uint8_t prev[16] = {};
  for (int i = 0; i < 1000; ++i) {
    mqgw_message* m = message::create(v);
    EXPECT_GT(std::memcmp(m->view.id, prev, 16), 0) << "at " << i;
    std::memcpy(prev, m->view.id, 16);
    message::unref(m);
  }
}

TEST(Message, IdsFromManyThreadsAreUnique) {
  std::vector<std::array<uint8_t, 16>> ids(4 * 5000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) message::newId(ids[t * 5000 + i].data(), 42);
    });
  for (auto& th : threads) th.join();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
}

TEST(Message, RefcountKeepsItAlive) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = s("t");
  mqgw_message* m = message::create(v);
  message::ref(m);
  message::unref(m);
  EXPECT_EQ(m->refs.load(), 1u);  // still alive; ASan would flag a use after free
  message::unref(m);
}

}  // namespace
}  // namespace mqgw
