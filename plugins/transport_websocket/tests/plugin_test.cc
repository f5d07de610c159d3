// Drives the websocket plugin through its ops table with a fake host: the handshake, frames
// both ways, the close paths, and a core that closes the connection while the plugin is inside
// one of its own callbacks.
#include <gtest/gtest.h>

#include <cstdarg>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "mqgw/plugin_abi.h"
#include "websocket/ws_frame.h"

extern "C" int mqgw_plugin_entry(uint32_t host_abi, const mqgw_host_api* host,
                                 const mqgw_plugin_descriptor** out);

namespace {

using Bytes = std::string;

struct FakeHost {
  Bytes written;                 // what the layer sent toward the peer
  Bytes pushedUp;                // what it handed to the layer above
  int closeCalls = 0, closeReason = -1, openUps = 0;
  std::function<void()> onPushUp;  // lets a test react like the frontend would
  void (*timerCb)(void*) = nullptr;
  void* timerArg = nullptr;
  bool timerLive = false;
  std::function<void(int)> closeHook;  // the core's side of conn_close
};
FakeHost* gFake = nullptr;
void fakeLog(int, const char*, const char*, ...) {}
mqgw_conn* const kConn = reinterpret_cast<mqgw_conn*>(0x1000);

mqgw_host_api makeHost() {
  mqgw_host_api h{};
  h.struct_size = sizeof h;
  h.abi_version = MQGW_ABI_VERSION;
  h.log = fakeLog;
  h.timer_start = [](uint64_t, uint64_t, void (*cb)(void*), void* arg) {
    gFake->timerCb = cb, gFake->timerArg = arg, gFake->timerLive = true;
    return reinterpret_cast<mqgw_timer*>(0x2000);
  };
  h.timer_stop = [](mqgw_timer*) { gFake->timerLive = false; };
  h.metric_register = [](const char*, const char*, int) { return 0u; };
  h.metric_add = [](uint32_t, int64_t) {};
  h.conn_write = [](mqgw_conn*, const void* d, size_t n) {
    gFake->written.append(static_cast<const char*>(d), n);
    return 0;
  };
  h.conn_close = [](mqgw_conn*, int reason) {
    ++gFake->closeCalls;
    gFake->closeReason = reason;
    if (gFake->closeHook) gFake->closeHook(reason);
    return 0;
  };
  h.conn_info = [](mqgw_conn*) -> const mqgw_conn_info* {
    static mqgw_conn_info info{sizeof(mqgw_conn_info), "ws", "127.0.0.1:1", 0, 0, 1, nullptr};
    return &info;
  };
  h.conn_push_up = [](mqgw_conn*, const void* d, size_t n) {
    gFake->pushedUp.append(static_cast<const char*>(d), n);
    if (gFake->onPushUp) gFake->onPushUp();
    return 0;
  };
  h.conn_open_up = [](mqgw_conn*) {
    ++gFake->openUps;
    return 0;
  };
  return h;
}

Bytes masked(mqgw::ws::Opcode op, const Bytes& payload, bool fin = true) {
  const uint8_t key[4] = {1, 2, 3, 4};
  uint8_t h[mqgw::ws::kMaxHeaderSize];
  size_t n = mqgw::ws::encodeHeader(h, op, fin, payload.size(), key);
  Bytes out(reinterpret_cast<char*>(h), n);
  Bytes body(payload);
  mqgw::ws::applyMask(reinterpret_cast<uint8_t*>(body.data()),
                      reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), key, 0);
  return out + body;
}

const Bytes kRequest =
    "GET /mqtt HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n\r\n";

class WsPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    gFake = &fake_;
    host_ = makeHost();
    const mqgw_plugin_descriptor* d = nullptr;
    ASSERT_EQ(mqgw_plugin_entry(MQGW_ABI_VERSION, &host_, &d), 0);
    ops_ = static_cast<const mqgw_transport_ops*>(d->ops);
    mqgw_kv cfg[] = {{"max_frame_size", "1000"}};
    ASSERT_EQ(ops_->create(cfg, 1, &instance_), 0);
    ASSERT_EQ(ops_->on_open(instance_, kConn, &state_), 0);
    // The core's close: goodbyes (on_shutdown), then on_close once everything is written.
    fake_.closeHook = [this](int reason) {
      if (!state_) return;
      ops_->on_shutdown(state_, reason);
      void* s = state_;
      state_ = nullptr;
      ops_->on_close(s, reason);
    };
  }
  void TearDown() override {
    if (state_) ops_->on_close(state_, MQGW_CLOSE_NORMAL);
    ops_->destroy(instance_);
    gFake = nullptr;
  }
  int read(const Bytes& b) {
    return ops_->on_read(state_, reinterpret_cast<const uint8_t*>(b.data()), b.size());
  }
  void upgrade(const Bytes& trailing = "") {
    ASSERT_EQ(read(kRequest + trailing), 0);
    ASSERT_EQ(fake_.written.rfind("HTTP/1.1 101 ", 0), 0u) << fake_.written;
    ASSERT_EQ(fake_.openUps, 1);
    fake_.written.clear();
  }

  FakeHost fake_;
  mqgw_host_api host_{};
  const mqgw_transport_ops* ops_ = nullptr;
  void* instance_ = nullptr;
  void* state_ = nullptr;
};

TEST_F(WsPlugin, UpgradeThenFramesGoUp) {
  upgrade(masked(mqgw::ws::Opcode::Binary, "\x10\x02"));  // frames right behind the request
  EXPECT_FALSE(fake_.timerLive);
  EXPECT_EQ(read(masked(mqgw::ws::Opcode::Binary, "ab", false) +
                 masked(mqgw::ws::Opcode::Continuation, "cd")), 0);
  EXPECT_EQ(fake_.pushedUp, "\x10\x02" "abcd");
}

TEST_F(WsPlugin, WritesBecomeBinaryFrames) {
  upgrade();
  Bytes small("\x20\x02\x00\x00", 4);
  Bytes big(5000, 'b');
  ASSERT_EQ(ops_->on_write(state_, reinterpret_cast<const uint8_t*>(small.data()), small.size()), 0);
  ASSERT_EQ(ops_->on_write(state_, reinterpret_cast<const uint8_t*>(big.data()), big.size()), 0);
  EXPECT_EQ(fake_.written.substr(0, 6), Bytes("\x82\x04", 2) + small);
  EXPECT_EQ(fake_.written.substr(6, 4), Bytes("\x82\x7e\x13\x88", 4));  // 126, then 5000
  EXPECT_EQ(fake_.written.substr(10), big);
}

TEST_F(WsPlugin, PingGetsPong) {
  upgrade();
  read(masked(mqgw::ws::Opcode::Ping, "hi"));
  EXPECT_EQ(fake_.written, Bytes("\x8a\x02hi", 4));
}

TEST_F(WsPlugin, OversizeFrameClosesWith1009AndNothingAfter) {
  upgrade();
  read(masked(mqgw::ws::Opcode::Binary, Bytes(1001, 'x')));
  ASSERT_EQ(fake_.closeCalls, 1);
  EXPECT_EQ(fake_.closeReason, MQGW_CLOSE_PROTOCOL);
  EXPECT_EQ(fake_.written.substr(0, 4), Bytes("\x88\x11\x03\xf1", 4));  // 1009
  EXPECT_EQ(fake_.pushedUp, "");
  EXPECT_EQ(state_, nullptr);  // closed during on_read, freed when it returned
}

TEST_F(WsPlugin, FrontendClosingInsidePushUpIsSafe) {
  upgrade();
  fake_.onPushUp = [this] { host_.conn_close(kConn, MQGW_CLOSE_PROTOCOL); };
  // Two frames in one read: the second must not be touched after the close.
  EXPECT_EQ(read(masked(mqgw::ws::Opcode::Binary, "one") +
                 masked(mqgw::ws::Opcode::Binary, "two")), 0);
  EXPECT_EQ(fake_.pushedUp, "one");
  EXPECT_EQ(fake_.written, Bytes("\x88\x02\x03\xe8", 4));  // on_shutdown: 1000
}

TEST_F(WsPlugin, PeerCloseIsEchoed) {
  upgrade();
  read(masked(mqgw::ws::Opcode::Close, "\x03\xe9"));
  EXPECT_EQ(fake_.written, Bytes("\x88\x02\x03\xe9", 4));
  EXPECT_EQ(fake_.closeReason, MQGW_CLOSE_NORMAL);
}

TEST_F(WsPlugin, ShutdownSendsGoingAwayOnce) {
  upgrade();
  ops_->on_shutdown(state_, MQGW_CLOSE_SHUTDOWN);
  ops_->on_shutdown(state_, MQGW_CLOSE_SHUTDOWN);
  EXPECT_EQ(fake_.written, Bytes("\x88\x02\x03\xe9", 4));
  const uint8_t b = 0x30;
  EXPECT_EQ(ops_->on_write(state_, &b, 1), MQGW_E_CLOSED);
}

TEST_F(WsPlugin, RefusedUpgradeGetsHttpErrorAndNoCloseFrame) {
  read("GET /nope HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(fake_.written.rfind("HTTP/1.1 404 ", 0), 0u);
  EXPECT_EQ(fake_.closeCalls, 1);
  EXPECT_EQ(fake_.openUps, 0);
}

TEST_F(WsPlugin, HandshakeTimeoutCloses) {
  read("GET /mqtt HTTP/1.1\r\n");
  ASSERT_TRUE(fake_.timerLive);
  fake_.timerCb(fake_.timerArg);
  EXPECT_EQ(fake_.closeReason, MQGW_CLOSE_TIMEOUT);
  EXPECT_EQ(state_, nullptr);
  EXPECT_EQ(fake_.written, "");
}

}  // namespace
