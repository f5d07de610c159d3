#include "connection.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <span>

#include "worker.h"

namespace mqgw::bench {

namespace {
constexpr uint32_t kMaxPacket = 64u << 20;
constexpr size_t kFillTarget = 64 * 1024;    // as-fast-as-possible: bytes per write
constexpr size_t kOutCap = 4u << 20;         // paced publisher that fell behind: stop adding
constexpr uint64_t kMaxBurst = 4096;         // messages per pump when catching up
constexpr uint16_t kKeepAlive = 60;

Connection* self(void* data) { return static_cast<Connection*>(data); }
}  // namespace

Connection::Connection(Worker& worker, ConnectionSpec spec, Login login)
    : worker_(worker), spec_(std::move(spec)), login_(std::move(login)),
      version_(static_cast<mqtt::Version>(worker.options().mqttVersion)) {
  if (spec_.role == Role::Subscriber) {
    RunState& run = worker.run();
    tracker_ = std::make_unique<SubscriberTracker>(worker.latency(), run.delivered.get(),
                                                   run.publisherCount);
  }
}

void Connection::start(const sockaddr_in& broker) {
  const std::string& sourceIp = spec_.sourceIp;
  state_ = State::Connecting;
  connectStartNs_ = monoNs();
  stack_ = worker_.transports().make(std::hash<std::string>{}(login_.clientId) ^ connectStartNs_);
  uv_tcp_init(worker_.loop(), &tcp_);
  tcp_.data = this;
  handleOpen_ = true;
  if (!sourceIp.empty()) {
    // Own socket so the port is picked at connect() (IP_BIND_ADDRESS_NO_PORT): the 4-tuple, not
    // the local address alone, must be unique, which lets many source IPs pass 64k connections.
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    int one = 1;
    if (fd < 0) return fail("socket() failed");
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (uv_ip4_addr(sourceIp.c_str(), 0, &local) != 0 ||
        bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      close(fd);
      return fail("bind to source ip failed");
    }
    if (uv_tcp_open(&tcp_, fd) != 0) {
      close(fd);
      return fail("uv_tcp_open failed");
    }
  }
  uv_tcp_nodelay(&tcp_, 1);  // we batch ourselves; never wait for Nagle
  connectReq_.data = this;
  int rc = uv_tcp_connect(&connectReq_, &tcp_, reinterpret_cast<const sockaddr*>(&broker), onConnect);
  if (rc != 0) fail(uv_strerror(rc));
}

void Connection::onConnect(uv_connect_t* req, int status) {
  Connection* c = self(req->data);
  if (c->state_ != State::Connecting) return;
  if (status != 0) return c->fail(uv_strerror(status));
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp_), onAlloc, onRead);
  if (c->stack_) return c->startTransport();
  c->state_ = State::AwaitConnack;
  c->sendConnect();
}

void Connection::startTransport() {
  state_ = State::Handshake;
  if (!stack_->start(wire_)) return fail(stack_->error());
  worker_.markDirty(this);
}

// Socket bytes through the transport: handshake replies go out, MQTT bytes to consume().
void Connection::receiveWire(const uint8_t* data, size_t len) {
  std::vector<uint8_t>& app = worker_.appScratch();
  app.clear();
  if (!stack_->receive(data, len, app, wire_)) return fail(stack_->error());
  if (!wire_.empty()) worker_.markDirty(this);
  if (state_ == State::Handshake && stack_->open()) {
    state_ = State::AwaitConnack;
    sendConnect();
  }
  if (!app.empty()) consume(app.data(), app.size());
}

void Connection::sendConnect() {
  mqtt::Connect p;
  p.protocolName = version_ == mqtt::Version::V31 ? "MQIsdp" : "MQTT";
  p.version = version_;
  p.cleanStart = true;
  p.keepAlive = kKeepAlive;
  p.clientId = login_.clientId;
  if (!login_.username.empty()) {
    p.username = login_.username;
    p.password = login_.password;
  }
  mqtt::encodeConnect(p, out_);
  worker_.markDirty(this);
}

void Connection::onAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  // One large buffer per worker: libuv calls read right after alloc for the same handle, so
  // connections never hold a read buffer of their own while idle.
  Worker& w = self(h->data)->worker_;
  *buf = uv_buf_init(reinterpret_cast<char*>(w.readBuffer()), static_cast<unsigned>(w.readBufferSize()));
}

void Connection::onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  Connection* c = self(s->data);
  if (n < 0) return c->fail(n == UV_EOF ? "closed by broker" : uv_strerror(static_cast<int>(n)));
  if (n <= 0) return;
  const auto* data = reinterpret_cast<const uint8_t*>(buf->base);
  if (c->stack_) c->receiveWire(data, static_cast<size_t>(n));
  else c->consume(data, static_cast<size_t>(n));
}

void Connection::consume(const uint8_t* data, size_t len) {
  std::span<const uint8_t> in(data, len);
  if (!partial_.empty()) {
    partial_.insert(partial_.end(), data, data + len);
    in = std::span<const uint8_t>(partial_);
  }
  size_t used = 0;
  while (used < in.size()) {
    auto fr = mqtt::readFrame(in.subspan(used), kMaxPacket);
    if (fr.status == mqtt::Status::NeedMore) break;
    if (fr.status == mqtt::Status::Error) return fail(fr.error.what);
    if (!handleFrame(fr.frame)) return;
    if (state_ == State::Closing || state_ == State::Closed) return;
    used += fr.frame.size;
  }
  if (partial_.empty()) {
    partial_.assign(in.begin() + static_cast<std::ptrdiff_t>(used), in.end());
  } else {
    partial_.erase(partial_.begin(), partial_.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

bool Connection::handleFrame(const mqtt::Frame& f) {
  switch (f.type) {
    case mqtt::PacketType::Connack: return handleConnack(f);
    case mqtt::PacketType::Suback: {
      mqtt::Suback s;
      if (state_ != State::AwaitSuback || mqtt::decodeSuback(f, version_, s)) {
        fail("unexpected or malformed SUBACK");
        return false;
      }
      if (s.reasonCodes.empty() || s.reasonCodes[0] >= 0x80) {
        fail("subscription refused");
        return false;
      }
      becomeReady();
      return true;
    }
    case mqtt::PacketType::Publish: return handlePublish(f);
    case mqtt::PacketType::Puback:
    case mqtt::PacketType::Pubrec:
    case mqtt::PacketType::Pubrel:
    case mqtt::PacketType::Pubcomp: return handleAck(f);
    case mqtt::PacketType::Pingresp: return true;
    case mqtt::PacketType::Disconnect: fail("DISCONNECT from broker"); return false;
    default: fail("unexpected packet type"); return false;
  }
}

bool Connection::handleConnack(const mqtt::Frame& f) {
  mqtt::Connack ack;
  if (state_ != State::AwaitConnack || mqtt::decodeConnack(f, version_, ack)) {
    fail("unexpected or malformed CONNACK");
    return false;
  }
  if (ack.reasonCode != 0) {
    fail("CONNACK refused");
    return false;
  }
  connackNs_ = monoNs();
  const Options& o = worker_.options();
  window_ = o.inflight;
  if (ack.properties.receiveMaximum) window_ = std::min<uint32_t>(window_, *ack.properties.receiveMaximum);
  if (spec_.role == Role::Subscriber) {
    mqtt::Subscribe sub;
    sub.packetId = 1;
    sub.topics.push_back(mqtt::SubscribeTopic{spec_.topic, o.qos});
    mqtt::encodeSubscribe(sub, version_, out_);
    worker_.markDirty(this);
    state_ = State::AwaitSuback;
    return true;
  }
  if (spec_.role == Role::Publisher) {
    std::string error;
    if (!template_.build(spec_.topic, o.qos, o.payload, version_, &error)) {
      fail("bad PUBLISH template");
      return false;
    }
  }
  becomeReady();
  return true;
}

bool Connection::handlePublish(const mqtt::Frame& f) {
  mqtt::Publish p;
  if (spec_.role != Role::Subscriber || state_ != State::Ready ||
      mqtt::decodePublish(f, version_, p)) {
    fail("unexpected or malformed PUBLISH");
    return false;
  }
  tracker_->onPayload(p.payload.data(), p.payload.size(), monoNs(),
                      worker_.run().measureFromNs.load(std::memory_order_relaxed));
  if (p.qos == 1) queueAck(mqtt::PacketType::Puback, p.packetId);
  if (p.qos == 2) queueAck(mqtt::PacketType::Pubrec, p.packetId);
  return true;
}

bool Connection::handleAck(const mqtt::Frame& f) {
  mqtt::Ack a;
  if (mqtt::decodeAck(f, version_, a)) {
    fail("malformed acknowledgement");
    return false;
  }
  switch (a.type) {
    case mqtt::PacketType::Pubrel: queueAck(mqtt::PacketType::Pubcomp, a.packetId); break;
    case mqtt::PacketType::Pubrec: queueAck(mqtt::PacketType::Pubrel, a.packetId); break;
    default:  // PUBACK or PUBCOMP completes one of our messages
      if (inflight_ > 0) --inflight_;
      ++pub_.acked;
      break;
  }
  return true;
}

void Connection::queueAck(mqtt::PacketType type, uint16_t packetId) {
  mqtt::Ack a;
  a.type = type;
  a.packetId = packetId;
  mqtt::encodeAck(a, version_, out_);
  worker_.markDirty(this);
}

// Messages this publisher may still send before its subscribers catch up (--rate 0 only).
uint64_t Connection::endToEndRoom(uint64_t nowNs) {
  RunState& run = worker_.run();
  const uint64_t fan = run.subscribersPerPublisher;
  uint64_t delivered = run.delivered[spec_.index].load(std::memory_order_relaxed);
  if (delivered != lastDelivered_) {
    lastDelivered_ = delivered;
    lastDeliveryNs_ = nowNs;
  }
  uint64_t done = delivered + forgiven_;
  uint64_t outstanding = pub_.sent * fan > done ? pub_.sent * fan - done : 0;
  uint64_t limit = uint64_t{worker_.options().window} * fan;
  if (outstanding + fan > limit && nowNs - lastDeliveryNs_ > 1000000000ULL) {
    // Nothing arrived for a second: the broker dropped what is outstanding (QoS 0). Write it
    // off so the run goes on; the subscribers' counts still show it as loss.
    forgiven_ += outstanding;
    ++pub_.windowResets;
    lastDeliveryNs_ = nowNs;
    outstanding = 0;
  }
  return outstanding < limit ? (limit - outstanding) / fan : 0;
}

uint64_t Connection::dueMessages(uint64_t nowNs) {
  const Options& o = worker_.options();
  uint64_t due;
  if (o.rate > 0) {
    if (out_.size() >= kOutCap) return 0;
    uint64_t start = worker_.run().publishStartNs.load(std::memory_order_relaxed);
    uint64_t target = nowNs > start ? (nowNs - start) * o.rate / 1000000000ULL + 1 : 1;
    due = target > pub_.sent ? std::min(target - pub_.sent, kMaxBurst) : 0;
  } else {
    // Back-pressure: produce only while nothing is waiting on the socket.
    if (writeInFlight_ || out_.size() >= kFillTarget) return 0;
    due = std::max<uint64_t>(1, (kFillTarget - out_.size()) / template_.size());
    due = std::min(due, endToEndRoom(nowNs));
  }
  if (o.qos > 0) due = std::min<uint64_t>(due, window_ > inflight_ ? window_ - inflight_ : 0);
  return due;
}

void Connection::pump(uint64_t nowNs) {
  if (spec_.role != Role::Publisher || state_ != State::Ready) return;
  uint64_t due = dueMessages(nowNs);
  if (due == 0) return;
  if (pub_.sent == 0) lastDeliveryNs_ = nowNs;
  const bool qos = worker_.options().qos > 0;
  const bool measured = nowNs >= worker_.run().measureFromNs.load(std::memory_order_relaxed);
  out_.reserve(out_.size() + due * template_.size());
  for (uint64_t i = 0; i < due; ++i) {
    uint16_t pid = 0;
    if (qos) {
      pid = nextPacketId_;
      nextPacketId_ = nextPacketId_ == 65535 ? 1 : nextPacketId_ + 1;
      ++inflight_;
    }
    template_.appendTo(out_, PayloadHeader{nowNs, spec_.index, seq_++}, pid);
  }
  pub_.sent += due;
  if (measured) pub_.sentMeasured += due;
  worker_.markDirty(this);
}

void Connection::flush() {
  bool open = state_ == State::Handshake || state_ == State::AwaitConnack ||
              state_ == State::AwaitSuback || state_ == State::Ready;
  if (writeInFlight_ || !open) return;
  if (stack_ && !out_.empty()) {
    if (!stack_->send(out_.data(), out_.size(), wire_)) return fail(stack_->error());
    out_.clear();
  }
  std::vector<uint8_t>& pending = stack_ ? wire_ : out_;
  if (pending.empty()) return;
  // Most writes fit in the socket buffer: try the syscall directly and only queue a uv_write
  // (which costs extra epoll_ctl calls) for what the kernel did not take.
  uv_buf_t all = uv_buf_init(reinterpret_cast<char*>(pending.data()), static_cast<unsigned>(pending.size()));
  int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &all, 1);
  if (n < 0 && n != UV_EAGAIN) return fail(uv_strerror(n));
  lastWriteNs_ = monoNs();
  size_t taken = n > 0 ? static_cast<size_t>(n) : 0;
  if (taken == pending.size()) {
    pending.clear();
    return;
  }
  writing_.assign(pending.begin() + static_cast<std::ptrdiff_t>(taken), pending.end());
  pending.clear();
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(writing_.data()), static_cast<unsigned>(writing_.size()));
  writeReq_.data = this;
  int rc = uv_write(&writeReq_, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, onWrite);
  if (rc != 0) return fail(uv_strerror(rc));
  writeInFlight_ = true;
}

void Connection::onWrite(uv_write_t* req, int status) {
  Connection* c = self(req->data);
  c->writeInFlight_ = false;
  c->writing_.clear();  // keeps capacity for the next swap
  if (status != 0 && status != UV_ECANCELED) return c->fail(uv_strerror(status));
  if (!c->out_.empty() || !c->wire_.empty()) c->worker_.markDirty(c);
}

void Connection::sendPingIfIdle(uint64_t nowNs, uint64_t idleNs) {
  if (state_ != State::Ready || nowNs - lastWriteNs_ < idleNs) return;
  mqtt::encodePingreq(out_);
  worker_.markDirty(this);
}

void Connection::becomeReady() {
  state_ = State::Ready;
  worker_.onReady(*this);
}

void Connection::fail(const char* why) {
  if (state_ == State::Closing || state_ == State::Closed) return;
  bool wasReady = state_ == State::Ready;
  lostAfterReady = wasReady;
  state_ = State::Closing;
  worker_.onFailed(*this, why, wasReady);
  if (handleOpen_) uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onClose);
  else state_ = State::Closed;
}

void Connection::shutdown() {
  if (state_ == State::Closing || state_ == State::Closed) return;
  if (state_ == State::Idle) {
    state_ = State::Closed;
    return;
  }
  if (state_ != State::Connecting && state_ != State::Handshake && !writeInFlight_) sendDisconnect();
  state_ = State::Closing;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onClose);
}

// Best effort: a DISCONNECT lets the broker drop the session without a will or a timeout.
// Unsent MQTT packets may go, but not wire_: TLS records already made must reach the broker
// in order, or the DISCONNECT's record would not decrypt.
void Connection::sendDisconnect() {
  out_.clear();
  mqtt::Disconnect d;
  mqtt::encodeDisconnect(d, version_, out_);
  if (stack_ && !stack_->send(out_.data(), out_.size(), wire_)) return;
  std::vector<uint8_t>& bytes = stack_ ? wire_ : out_;
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
  uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1);
}

void Connection::onClose(uv_handle_t* h) {
  Connection* c = self(h->data);
  c->stack_.reset();  // TLS buffers are the bulk of a connection's memory
  c->state_ = State::Closed;
  c->handleOpen_ = false;
  c->worker_.onClosed(*c);
}

}  // namespace mqgw::bench
