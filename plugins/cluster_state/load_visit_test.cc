// What load hands the core's visitor (load_visit.h).
#include "load_visit.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqgw::cluster {
namespace {

// What the visitor saw; messages are the decoded bytes (the fake host's "messages").
struct Seen {
  std::vector<std::string> sessions;  // "id=state@offsets"
  std::vector<std::string> retained;
};

std::vector<std::string*> live;  // decoded and not yet unreferenced

mqgw_message* decodeUnlessBad(const uint8_t* data, size_t len) {
  std::string bytes(reinterpret_cast<const char*>(data), len);
  if (bytes == "bad") return nullptr;
  auto* m = new std::string(bytes);
  live.push_back(m);
  return reinterpret_cast<mqgw_message*>(m);
}

void unref(mqgw_message* m) {
  auto* s = reinterpret_cast<std::string*>(m);
  std::erase(live, s);
  delete s;
}

mqgw_load_visitor visitorOf(Seen* seen) {
  mqgw_load_visitor v{};
  v.struct_size = sizeof v;
  v.arg = seen;
  v.session = [](void* arg, mqgw_str id, const uint8_t* state, size_t len,
                 const mqgw_position* next, uint32_t n) {
    std::string line = std::string(id.ptr, id.len) + "=" +
                       std::string(reinterpret_cast<const char*>(state), len) + "@";
    for (uint32_t i = 0; i < n; ++i) line += std::to_string(next[i].offset) + ";";
    static_cast<Seen*>(arg)->sessions.push_back(line);
  };
  v.floor = [](void*, mqgw_position) {};
  v.retained = [](void* arg, mqgw_message* m) {
    static_cast<Seen*>(arg)->retained.push_back(*reinterpret_cast<std::string*>(m));
  };
  return v;
}

TEST(LoadVisit, OwnSessionsGoToTheVisitorWithTheirCursorInCorePositions) {
  StateView view("a");
  std::string mine = encode(SessionRecord{"a", "SA", {{"log", 0, 7}}, 1});
  std::string theirs = encode(SessionRecord{"b", "SB", {}, 1});
  view.apply("c1", &mine);
  view.apply("c2", &theirs);
  Seen seen;
  mqgw_load_visitor v = visitorOf(&seen);
  visitOwnSessions(
      view,
      [](const std::vector<NamedPosition>& named) {
        std::vector<mqgw_position> core;
        for (const NamedPosition& p : named)
          core.push_back({0, static_cast<uint64_t>(p.offset) + 100});
        return core;
      },
      &v);
  EXPECT_EQ(seen.sessions, std::vector<std::string>{"c1=SA@107;"});
  EXPECT_EQ(view.lookup("c1").owner, "a");
}

TEST(LoadVisit, RetainedMessagesAreDecodedHandedOverAndReleased) {
  mqgw_host_api host{};
  host.message_decode = decodeUnlessBad;
  host.message_unref = unref;
  Seen seen;
  mqgw_load_visitor v = visitorOf(&seen);
  std::map<std::string, std::string> retained = {{"a/1", "M1"}, {"a/2", "bad"}, {"b", "M3"}};
  EXPECT_EQ(visitRetained(&host, retained, &v), 1u);
  EXPECT_EQ(seen.retained, (std::vector<std::string>{"M1", "M3"}));
  EXPECT_TRUE(live.empty()) << "every decoded message is unreferenced after the visit";
}

}  // namespace
}  // namespace mqgw::cluster
