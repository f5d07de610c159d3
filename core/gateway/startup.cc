#include "gateway/startup.h"

#include <signal.h>
#include <uv.h>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "admin/admin_server.h"
#include "auth/topic_acl.h"
#include "config/config.h"
#include "gateway/console.h"
#include "gateway/gateway.h"
#include "gateway/limits.h"
#include "gateway/plugin_setup.h"
#include "gateway/restore.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "net/listener.h"
#include "plugin/host_api.h"
#include "plugin/loader.h"

namespace mqgw {
namespace {

CoreLimits toCoreLimits(const config::Limits& l) {
  CoreLimits c;
  c.abi.max_packet_size = static_cast<uint32_t>(l.maxPacketSize);
  c.abi.keepalive_min_s = static_cast<uint32_t>(l.keepaliveMinS);
  c.abi.keepalive_max_s = static_cast<uint32_t>(l.keepaliveMaxS);
  c.abi.max_outbound_bytes = l.maxOutboundBytes;
  c.abi.max_inflight = static_cast<uint32_t>(l.maxInflight);
  c.maxConnections = static_cast<int64_t>(l.maxConnections);
  c.shutdownTimeoutMs = l.shutdownTimeoutMs;
  c.sessionQueueMessages = l.sessionQueueMessages;
  c.sessionQueueBytes = l.sessionQueueBytes;
  return c;
}

struct Runtime {
  Runtime() { uv_loop_init(&loop); }
  ~Runtime() {
    // Close whatever an early exit left open (e.g. a half-started admin server).
    uv_walk(&loop, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, nullptr); },
            nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  uv_loop_t loop{};
  uv_signal_t sigint{}, sigterm{};
  uv_timer_t waitTimer{};
  std::vector<std::unique_ptr<Listener>> listeners;
  AdminServer admin;
  bool hasAdmin = false;
  Console console;  // after admin: destroyed first, while the admin server still exists
  uint64_t deadline = 0;
  bool stopping = false;
};

void waitForWorkers(uv_timer_t* t) {
  auto* rt = static_cast<Runtime*>(t->data);
  bool all = true;
  for (auto& w : Gateway::get().workers()) all = all && w->finished();
  if (all) {
    uv_timer_stop(t);
    uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
    return;
  }
  if (uv_now(&rt->loop) >= rt->deadline) {
    spdlog::warn("shutdown: connections still open after shutdown_timeout; exiting anyway");
    std::fflush(stdout);
    std::_Exit(kExitOk);
  }
}

void beginShutdown(uv_signal_t* s, int signum) {
  auto* rt = static_cast<Runtime*>(s->data);
  if (rt->stopping) return;
  rt->stopping = true;
  spdlog::info("signal {}: stopping", signum);
  for (auto& l : rt->listeners) l->stopAccepting();
  if (rt->hasAdmin) rt->admin.stop();
  uv_close(reinterpret_cast<uv_handle_t*>(&rt->sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&rt->sigterm), nullptr);
  for (auto& w : Gateway::get().workers()) w->requestStop();
  rt->deadline = uv_now(&rt->loop) + coreLimits().shutdownTimeoutMs;
  uv_timer_init(&rt->loop, &rt->waitTimer);
  rt->waitTimer.data = rt;
  uv_timer_start(&rt->waitTimer, waitForWorkers, 10, 10);
}

std::vector<uint16_t> boundPorts(const Runtime& rt) {
  std::vector<uint16_t> ports;
  for (const auto& l : rt.listeners) ports.push_back(l->boundPort());
  return ports;
}

int bindListeners(Runtime& rt, PluginSetup& setup, const config::Config& cfg) {
  for (size_t i = 0; i < cfg.listeners.size(); ++i) {
    const auto& lc = cfg.listeners[i];
    auto l = std::make_unique<Listener>(lc.name, lc.bind, lc.port, setup.takeStack(i));
    if (auto err = l->bindAndListen(1024)) {
      std::fprintf(stderr, "mqgw: listener %s %s: %s\n", lc.name.c_str(),
                   l->requestedAddress().c_str(), err->c_str());
      return kExitListen;
    }
    rt.listeners.push_back(std::move(l));
  }
  return kExitOk;
}

void announce(Runtime& rt, const config::Config& cfg) {
  for (size_t i = 0; i < rt.listeners.size(); ++i) {
    std::string stack;
    for (auto& layer : cfg.listeners[i].stack) stack += (stack.empty() ? "" : "+") + layer;
    std::printf("mqgw: listener %s %s %s\n", rt.listeners[i]->name().c_str(), stack.c_str(),
                rt.listeners[i]->boundAddress().c_str());
  }
  if (rt.hasAdmin) std::printf("mqgw: admin http://%s\n", rt.admin.boundAddress().c_str());
  std::printf("mqgw: ready\n");
  std::fflush(stdout);
}

}  // namespace

int runGateway(const Options& o) {
  auto loaded = config::loadFile(o.configPath);
  if (!loaded.config) {
    std::fprintf(stderr, "%s\n", loaded.error->str().c_str());
    return kExitConfig;
  }
  config::Config cfg = std::move(*loaded.config);
  if (o.workers) cfg.workers = *o.workers;
  if (o.logLevel) cfg.logLevel = *o.logLevel;
  if (o.pluginDir) cfg.pluginDir = *o.pluginDir;
  if (cfg.pluginDir.empty()) cfg.pluginDir = o.exeDir + "/plugins";
  if (!log::init(cfg.logLevel)) {
    std::fprintf(stderr, "mqgw: unknown log level '%s'\n", cfg.logLevel.c_str());
    return kExitConfig;
  }
  ::signal(SIGPIPE, SIG_IGN);
  setLimits(toCoreLimits(cfg.limits));
  auth::installTopicAcl(cfg.authorization);
  metrics::registerCoreMetrics();

  PluginLoader loader(hostApi());
  PluginSetup setup(loader, cfg);
  if (int rc = setup.load(); rc != kExitOk) return rc;
  if (int rc = setup.configure(); rc != kExitOk) return rc;
  if (o.checkOnly) {
    std::printf("mqgw: configuration ok\n");
    return kExitOk;
  }

  auto rt = std::make_unique<Runtime>();
  if (int rc = bindListeners(*rt, setup, cfg); rc != kExitOk) return rc;
  if (cfg.admin) {
    if (auto err = rt->admin.start(&rt->loop, cfg.admin->bind, cfg.admin->port)) {
      std::fprintf(stderr, "mqgw: admin %s:%u: %s\n", cfg.admin->bind.c_str(), cfg.admin->port,
                   err->c_str());
      return kExitListen;
    }
    rt->hasAdmin = true;
  }

  const std::string adminUrl = rt->hasAdmin ? "http://" + rt->admin.boundAddress() : "";
  if (auto err = rt->console.open(cfg, adminUrl)) {
    std::fprintf(stderr, "mqgw: %s\n", err->c_str());
    return kExitConfig;
  }
  rt->console.serveApi(rt->hasAdmin ? &rt->admin : nullptr, cfg, boundPorts(*rt));

  Gateway& gw = Gateway::get();
  gw.createWorkers(cfg.workers);
  if (int rc = setup.startStorage(); rc != kExitOk) return rc;
  for (auto& w : gw.workers()) w->start();
  if (int rc = restoreDurableState(); rc != kExitOk) {
    for (auto& w : gw.workers()) w->requestStop();
    for (auto& w : gw.workers()) w->join();
    setup.stopStorage();
    return rc;
  }
  rt->console.finishLoad();  // the shared metadata is in: bootstrap only now if none
  for (auto& l : rt->listeners) l->startAccepting(&rt->loop);
  uv_signal_init(&rt->loop, &rt->sigint);
  uv_signal_init(&rt->loop, &rt->sigterm);
  rt->sigint.data = rt->sigterm.data = rt.get();
  uv_signal_start(&rt->sigint, beginShutdown, SIGINT);
  uv_signal_start(&rt->sigterm, beginShutdown, SIGTERM);
  spdlog::info("mqgw {} up: {} workers, storage '{}'", MQGW_VERSION, cfg.workers,
               cfg.storageBackend);
  announce(*rt, cfg);

  uv_run(&rt->loop, UV_RUN_DEFAULT);

  for (auto& w : gw.workers()) w->join();
  setup.stopStorage();
  gw.workers().clear();
  rt.reset();
  setup.destroyInstances();
  spdlog::info("stopped cleanly");
  return kExitOk;
}

}  // namespace mqgw
