#include "fake_host.h"

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>

namespace mqgw::mqttfe::testing {
namespace {

FakeHost* gFake = nullptr;

void hostLog(int, const char*, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char line[512];
  std::vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
}
const char* hostStrerror(int) { return "error"; }
const char* hostErrName(int) { return "MQGW_E_TEST"; }
uint32_t metricRegister(const char* name, const char*, int) {
  auto& names = fake().metricNames;
  for (uint32_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  names.push_back(name);
  return static_cast<uint32_t>(names.size() - 1);
}
void metricAdd(uint32_t id, int64_t d) {
  if (id < fake().metricNames.size()) fake().metricValues[fake().metricNames[id]] += d;
}

int connWrite(mqgw_conn* c, const void* data, size_t len) {
  EXPECT_NE(c->state, nullptr) << "write after on_close";
  c->out.append(static_cast<const char*>(data), len);
  return MQGW_OK;
}
int connClose(mqgw_conn* c, int reason) {
  EXPECT_NE(c->state, nullptr) << "close after on_close";
  if (++c->closeCalls == 1) c->closeReason = reason;
  if (c->closeSynchronously && c->state) {
    void* state = c->state;
    c->state = nullptr;
    fake().ops->on_close(state, reason);
  }
  return MQGW_OK;
}
void connPause(mqgw_conn* c) { c->readPaused = true; }
void connResume(mqgw_conn* c) { c->readPaused = false; }
size_t connPending(mqgw_conn* c) { return c->pendingOut; }
void connIdle(mqgw_conn* c, uint64_t ms) { c->idleTimeoutMs = ms; }
const mqgw_limits* hostLimits() { return &fake().limits; }

void fill(mqgw_str& s, std::string& store) {
  s = {store.data(), store.size()};
}

mqgw_message* messageCreate(const mqgw_message_view* v) {
  auto* m = new mqgw_message;
  m->view = *v;
  m->topic.assign(v->topic.ptr, v->topic.len);
  m->payload.assign(v->payload.ptr, v->payload.len);
  m->contentType.assign(v->content_type.ptr ? v->content_type.ptr : "", v->content_type.len);
  m->responseTopic.assign(v->response_topic.ptr ? v->response_topic.ptr : "",
                          v->response_topic.len);
  m->correlationData.assign(v->correlation_data.ptr ? v->correlation_data.ptr : "",
                            v->correlation_data.len);
  m->publisherId.assign(v->publisher_id.ptr, v->publisher_id.len);
  for (uint32_t i = 0; i < v->user_prop_count; ++i)
    m->userProps.emplace_back(std::string(v->user_props[i].key.ptr, v->user_props[i].key.len),
                              std::string(v->user_props[i].value.ptr, v->user_props[i].value.len));
  fill(m->view.topic, m->topic);
  fill(m->view.payload, m->payload);
  fill(m->view.content_type, m->contentType);
  fill(m->view.response_topic, m->responseTopic);
  fill(m->view.correlation_data, m->correlationData);
  fill(m->view.publisher_id, m->publisherId);
  for (auto& [k, val] : m->userProps)
    m->propViews.push_back({{k.data(), k.size()}, {val.data(), val.size()}});
  m->view.user_props = m->propViews.data();
  ++fake().liveMessages;
  return m;
}
void messageRef(mqgw_message* m) { ++m->refs; }
void messageUnref(mqgw_message* m) {
  EXPECT_GT(m->refs, 0);
  if (--m->refs == 0) {
    --fake().liveMessages;
    delete m;
  }
}
const mqgw_message_view* messageView(const mqgw_message* m) { return &m->view; }

int sessionOpen(mqgw_conn*, const mqgw_session_params* p, mqgw_session** out, int* present) {
  if (fake().sessionOpenResult != MQGW_OK) return fake().sessionOpenResult;
  auto s = std::make_unique<mqgw_session>();
  s->clientId.assign(p->client_id.ptr, p->client_id.len);
  s->params = *p;
  *out = s.get();
  *present = 0;
  fake().sessions.push_back(std::move(s));
  return MQGW_OK;
}
int sessionPark(mqgw_session* s, const mqgw_parked* owed, uint32_t n, const uint16_t* ids,
                uint32_t nIds) {
  EXPECT_FALSE(s->closed) << "park after session_close";
  s->parked.assign(owed, owed + n);
  s->qos2Parked.assign(ids, ids + nIds);
  return MQGW_OK;
}
void sessionResume(mqgw_session* s) { ++s->resumeCalls; }
int sessionSetWill(mqgw_session* s, mqgw_message* will, uint32_t delayS) {
  s->will = will;
  s->willDelayS = delayS;
  return MQGW_OK;
}
void sessionSetExpiry(mqgw_session* s, uint32_t expiryS) { s->params.expiry_interval_s = expiryS; }
mqgw_str sessionClientId(const mqgw_session* s) { return {s->clientId.data(), s->clientId.size()}; }
void sessionClose(mqgw_session* s) {
  EXPECT_FALSE(s->closed);
  s->closed = true;
}
int subscribe(mqgw_session* s, mqgw_str filter, const mqgw_sub_options* o) {
  EXPECT_FALSE(s->closed);
  fake().subscribes.emplace_back(std::string(filter.ptr, filter.len), *o);
  return fake().subscribeResult > 2 ? o->qos : fake().subscribeResult;
}
int unsubscribe(mqgw_session*, mqgw_str filter) {
  fake().unsubscribes.emplace_back(filter.ptr, filter.len);
  return fake().unsubscribeResult;
}
int publish(mqgw_session* s, mqgw_message* msg, uint64_t cookie) {
  EXPECT_FALSE(s->closed);
  messageRef(msg);
  fake().publishes.push_back({msg, cookie});
  if (fake().completePublishInline && cookie && fake().inlineConn &&
      fake().inlineConn->state)
    fake().ops->on_publish_done(fake().inlineConn->state, cookie, fake().inlinePublishStatus);
  return MQGW_OK;
}
// Product rules stand-ins: names may not contain "bad", filters neither.
int validName(mqgw_str t) {
  std::string_view s(t.ptr, t.len);
  return !s.empty() && s.find("bad") == std::string_view::npos &&
         s.find_first_of("+#") == std::string_view::npos;
}
int validFilter(mqgw_str f) {
  std::string_view s(f.ptr, f.len);
  return !s.empty() && s.find("bad") == std::string_view::npos;
}

}  // namespace

FakeHost& fake() { return *gFake; }

void FakeHost::clearPublishes() {
  for (auto& p : publishes) messageUnref(p.msg);
  publishes.clear();
}

mqtt::Frame OutPacket::frame() const {
  return mqtt::readFrame(bytes, UINT32_MAX).frame;
}

Harness::Harness(Config config) {
  delete gFake;
  gFake = new FakeHost;
  FakeHost& f = *gFake;
  f.limits = {sizeof(mqgw_limits), 65536, 0, 0, 0, 0};
  f.api.struct_size = sizeof(mqgw_host_api);
  f.api.abi_version = MQGW_ABI_VERSION;
  f.api.log = hostLog;
  f.api.strerror = hostStrerror;
  f.api.err_name = hostErrName;
  f.api.metric_register = metricRegister;
  f.api.metric_add = metricAdd;
  f.api.conn_write = connWrite;
  f.api.conn_close = connClose;
  f.api.conn_pause_read = connPause;
  f.api.conn_resume_read = connResume;
  f.api.conn_pending_out = connPending;
  f.api.conn_set_idle_timeout = connIdle;
  f.api.limits = hostLimits;
  f.api.message_create = messageCreate;
  f.api.message_ref = messageRef;
  f.api.message_unref = messageUnref;
  f.api.message_view = messageView;
  f.api.session_open = sessionOpen;
  f.api.session_close = sessionClose;
  f.api.subscribe = subscribe;
  f.api.unsubscribe = unsubscribe;
  f.api.publish = publish;
  f.api.topic_valid_name = validName;
  f.api.topic_valid_filter = validFilter;
  f.api.session_client_id = sessionClientId;
  f.api.session_park = sessionPark;
  f.api.session_resume = sessionResume;
  f.api.session_set_will = sessionSetWill;
  f.api.session_set_expiry = sessionSetExpiry;
  f.api.delivery_settled = [](mqgw_session*, const mqgw_message* m) {
    fake().settled.push_back(m);
  };

  const mqgw_plugin_descriptor* d = nullptr;
  EXPECT_EQ(mqgw_plugin_entry(MQGW_ABI_VERSION, &f.api, &d), MQGW_OK);
  ops = static_cast<const mqgw_frontend_ops*>(d->ops);
  f.ops = ops;
  f.inlineConn = &conn;
  std::vector<mqgw_kv> kv;
  for (auto& [k, v] : config) kv.push_back({k.c_str(), v.c_str()});
  EXPECT_EQ(ops->create(kv.data(), kv.size(), &instance), MQGW_OK);
  EXPECT_EQ(ops->on_open(instance, &conn, &conn.state), MQGW_OK);
}

Harness::~Harness() {
  if (conn.state) closeFromCore(MQGW_CLOSE_PEER_RESET);
  fake().clearPublishes();
  ops->destroy(instance);
  EXPECT_EQ(fake().liveMessages, 0) << "message refs leaked";
}

long Harness::feed(const uint8_t* data, size_t len) {
  return ops->on_data(conn.state, data, len);
}
long Harness::feed(const std::vector<uint8_t>& bytes) { return feed(bytes.data(), bytes.size()); }

void Harness::connect(mqtt::Version v, std::string_view clientId) {
  auto bytes = connectPacket(v, clientId);
  ASSERT_EQ(feed(bytes), static_cast<long>(bytes.size()));
  auto packets = takePackets();
  ASSERT_EQ(packets.size(), 1u);
  ASSERT_EQ(packets[0].type, mqtt::PacketType::Connack);
}

std::vector<OutPacket> Harness::takePackets() {
  std::vector<OutPacket> result;
  std::span<const uint8_t> rest(reinterpret_cast<const uint8_t*>(conn.out.data()),
                                conn.out.size());
  while (!rest.empty()) {
    mqtt::FrameResult r = mqtt::readFrame(rest, UINT32_MAX);
    EXPECT_EQ(r.status, mqtt::Status::Ok) << "plugin wrote a broken packet: " << hex(conn.out);
    if (r.status != mqtt::Status::Ok) break;
    result.push_back({r.frame.type, {rest.begin(), rest.begin() + r.frame.size}});
    rest = rest.subspan(r.frame.size);
  }
  conn.out.clear();
  return result;
}

std::string Harness::takeBytes() {
  std::string b;
  b.swap(conn.out);
  return b;
}

void Harness::completePublish(size_t index, int status) {
  ASSERT_LT(index, fake().publishes.size());
  ASSERT_NE(conn.state, nullptr);
  ops->on_publish_done(conn.state, fake().publishes[index].cookie, status);
}

void Harness::closeFromCore(int reason) {
  ASSERT_NE(conn.state, nullptr);
  void* state = conn.state;
  conn.state = nullptr;
  ops->on_close(state, reason);
}

std::vector<uint8_t> connectPacket(mqtt::Version v, std::string_view clientId, bool clean,
                                   uint16_t keepAlive) {
  mqtt::Connect c;
  c.version = v;
  c.clientId = clientId;
  c.cleanStart = clean;
  c.keepAlive = keepAlive;
  mqtt::Buffer b;
  mqtt::encodeConnect(c, b);
  return b;
}

std::vector<uint8_t> publishPacket(mqtt::Version v, std::string_view topic,
                                   std::string_view payload, uint8_t qos, uint16_t id, bool dup) {
  mqtt::Publish p;
  p.topic = topic;
  p.payload = payload;
  p.qos = qos;
  p.packetId = id;
  p.dup = dup;
  mqtt::Buffer b;
  mqtt::encodePublish(p, v, b);
  return b;
}

std::vector<uint8_t> ackPacket(mqtt::Version v, mqtt::PacketType type, uint16_t id,
                               uint8_t reasonCode) {
  mqtt::Ack a;
  a.type = type;
  a.packetId = id;
  a.reasonCode = reasonCode;
  mqtt::Buffer b;
  mqtt::encodeAck(a, v, b);
  return b;
}

std::vector<uint8_t> subscribePacket(mqtt::Version v, uint16_t id,
                                     const std::vector<std::pair<std::string, uint8_t>>& topics) {
  mqtt::Subscribe s;
  s.packetId = id;
  for (auto& [filter, qos] : topics) {
    mqtt::SubscribeTopic t;
    t.filter = filter;
    t.qos = qos;
    s.topics.push_back(t);
  }
  mqtt::Buffer b;
  mqtt::encodeSubscribe(s, v, b);
  return b;
}

std::vector<uint8_t> bytesOf(std::initializer_list<int> values) {
  std::vector<uint8_t> b;
  for (int v : values) b.push_back(static_cast<uint8_t>(v));
  return b;
}

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    if (!s.empty()) s.push_back(' ');
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}
std::string hex(const std::vector<uint8_t>& bytes) { return hex(std::string(bytes.begin(), bytes.end())); }

mqgw_message* makeMessage(std::string_view topic, std::string_view payload, uint8_t qos) {
  mqgw_message_view v{};
  v.struct_size = sizeof v;
  v.topic = {topic.data(), topic.size()};
  v.payload = {payload.data(), payload.size()};
  v.qos = qos;
  return messageCreate(&v);
}

int deliver(Harness& h, mqgw_message* m, uint8_t qos, std::vector<uint32_t> ids) {
  mqgw_delivery d{sizeof(mqgw_delivery), qos, 0, ids.empty() ? 0 : ids[0], ids.data(),
                  static_cast<uint32_t>(ids.size())};
  return h.ops->on_deliver(h.conn.state, m, &d);
}

}  // namespace mqgw::mqttfe::testing
