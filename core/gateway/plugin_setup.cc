#include "gateway/plugin_setup.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "auth/enhanced_auth.h"
#include "gateway/gateway.h"
#include "gateway/startup.h"
#include "plugin/host_api.h"

namespace mqgw {
namespace {

const char* kindName(uint32_t kind) {
  switch (kind) {
    case MQGW_KIND_TRANSPORT: return "transport";
    case MQGW_KIND_FRONTEND: return "frontend";
    case MQGW_KIND_STORAGE: return "storage";
    case MQGW_KIND_AUTH: return "auth";
    default: return "unknown";
  }
}

std::vector<mqgw_kv> toKv(const std::vector<config::KeyValue>& values) {
  std::vector<mqgw_kv> kv;
  kv.reserve(values.size());
  for (auto& v : values) kv.push_back({v.key.c_str(), v.value.c_str()});
  return kv;
}

}  // namespace

PluginSetup::~PluginSetup() { destroyInstances(); }

int PluginSetup::configError(int line, int col, const std::string& path,
                             const std::string& what) const {
  config::Error e{cfg_.file, line, col, path, what};
  std::fprintf(stderr, "%s\n", e.str().c_str());
  return kExitConfig;
}

int PluginSetup::load() {
  for (auto& path : cfg_.extraPlugins) {
    if (auto err = loader_.loadFile(path)) {
      std::fprintf(stderr, "%s\n", err->line().c_str());
      return kExitPlugin;
    }
  }
  std::vector<std::string> names;
  for (auto& l : cfg_.listeners)
    for (size_t i = 1; i < l.stack.size(); ++i) names.push_back(l.stack[i]);
  names.push_back(cfg_.storageBackend);
  for (auto& a : cfg_.authSections) names.push_back(a.plugin);
  for (auto& name : names) {
    if (auto err = loader_.require(name, cfg_.pluginDir)) {
      std::fprintf(stderr, "%s\n", err->line().c_str());
      return kExitPlugin;
    }
  }
  return checkKinds();
}

int PluginSetup::checkKinds() {
  for (size_t li = 0; li < cfg_.listeners.size(); ++li) {
    const auto& l = cfg_.listeners[li];
    std::string path = "listeners[" + std::to_string(li) + "].stack";
    if (l.stack.size() < 2)
      return configError(l.line, l.col, path, "a stack needs a frontend after tcp");
    for (size_t i = 1; i < l.stack.size(); ++i) {
      const LoadedPlugin* p = loader_.find(l.stack[i]);
      uint32_t want = i + 1 == l.stack.size() ? MQGW_KIND_FRONTEND : MQGW_KIND_TRANSPORT;
      if (p->desc->kind != want)
        return configError(l.line, l.col, path,
                           "'" + l.stack[i] + "' is a " + kindName(p->desc->kind) +
                               " plugin; this position needs a " + kindName(want));
    }
  }
  const LoadedPlugin* s = loader_.find(cfg_.storageBackend);
  if (s->desc->kind != MQGW_KIND_STORAGE)
    return configError(cfg_.storageSection.line, cfg_.storageSection.col, "storage.backend",
                       "'" + cfg_.storageBackend + "' is a " + kindName(s->desc->kind) +
                           " plugin, not a storage backend");
  storage_ = s;
  return checkAuthKinds();
}

// Every auth: key names an auth plugin, and every loaded auth plugin is named there: an auth
// plugin listed only under plugins: would otherwise sit unconfigured and silently unused.
int PluginSetup::checkAuthKinds() {
  for (auto& a : cfg_.authSections) {
    const LoadedPlugin* p = loader_.find(a.plugin);
    if (p->desc->kind != MQGW_KIND_AUTH)
      return configError(a.line, a.col, a.path,
                         "'" + a.plugin + "' is a " + kindName(p->desc->kind) +
                             " plugin, not an auth plugin");
  }
  for (auto& p : loader_.plugins()) {
    if (p->desc->kind != MQGW_KIND_AUTH) continue;
    bool named = false;
    for (auto& a : cfg_.authSections) named = named || a.plugin == p->name();
    if (!named)
      return configError(0, 0, "auth",
                         "auth plugin '" + p->name() + "' is loaded but not enabled (add auth: {" +
                             p->name() + ": {}})");
  }
  return kExitOk;
}

std::vector<config::KeyValue> PluginSetup::validate(
    const config::PluginSection& s, const LoadedPlugin& p, int* rc) {
  auto r = config::validateSection(s, p.desc->config_schema, p.desc->config_schema_len, cfg_.file);
  if (r.error) {
    std::fprintf(stderr, "%s\n", r.error->str().c_str());
    *rc = kExitConfig;
    return {};
  }
  *rc = kExitOk;
  return std::move(r.values);
}

int PluginSetup::createLayer(size_t li, size_t layer, LayerSpec& out) {
  const auto& l = cfg_.listeners[li];
  const config::PluginSection& section = l.sections[layer - 1];
  const LoadedPlugin* p = loader_.find(l.stack[layer]);
  int rc;
  auto values = validate(section, *p, &rc);
  if (rc != kExitOk) return rc;
  auto kv = toKv(values);
  out.name = p->name();
  out.kind = p->desc->kind;
  out.caps = p->desc->caps;
  int created;
  if (out.kind == MQGW_KIND_FRONTEND) {
    out.frontend = static_cast<const mqgw_frontend_ops*>(p->desc->ops);
    created = out.frontend->create(kv.data(), kv.size(), &out.instance);
  } else {
    out.transport = static_cast<const mqgw_transport_ops*>(p->desc->ops);
    created = out.transport->create(kv.data(), kv.size(), &out.instance);
  }
  if (created != MQGW_OK)
    return configError(l.line, l.col, section.path,
                       "plugin '" + out.name + "' refused this configuration: " +
                           statusText(created));
  created_.push_back(out);
  return kExitOk;
}

int PluginSetup::createStorage() {
  int rc;
  auto values = validate(cfg_.storageSection, *storage_, &rc);
  if (rc != kExitOk) return rc;
  auto kv = toKv(values);
  // A backend built against an older minor has a shorter table: copy what it has, zero the rest
  // (ABI 1.1 added the cluster ops).
  std::memcpy(&storageOps_, storage_->desc->ops,
              std::min<size_t>(storage_->desc->ops_size, sizeof storageOps_));
  const mqgw_storage_ops* ops = &storageOps_;
  int created = ops->create(kv.data(), kv.size(), &storageBackend_);
  if (created != MQGW_OK)
    return configError(cfg_.storageSection.line, cfg_.storageSection.col, "storage",
                       "backend '" + storage_->name() + "' refused this configuration: " +
                           statusText(created));
  Gateway::get().storage().bind(storage_->desc->name, ops, storageBackend_, storage_->desc->caps);
  return kExitOk;
}

int PluginSetup::createAuth(const config::PluginSection& section) {
  const LoadedPlugin* p = loader_.find(section.plugin);
  int rc;
  auto values = validate(section, *p, &rc);
  if (rc != kExitOk) return rc;
  auto kv = toKv(values);
  auto* ops = static_cast<const mqgw_auth_ops*>(p->desc->ops);
  void* instance = nullptr;
  int created = ops->create(kv.data(), kv.size(), &instance);
  if (created != MQGW_OK)
    return configError(section.line, section.col, section.path,
                       "auth plugin '" + p->name() + "' refused this configuration: " +
                           statusText(created));
  auth_.push_back({ops, instance});
  // No methods list: the plugin serves one method named like itself.
  const char* own[] = {p->desc->name, nullptr};
  const char* const* methods = ops->methods ? ops->methods : own;
  for (; *methods; ++methods) {
    if (!**methods)
      return configError(section.line, section.col, section.path,
                         "auth plugin '" + p->name() + "' declares an empty method name");
    std::string owner = auth::methodOwner(*methods);
    if (!owner.empty())
      return configError(section.line, section.col, section.path,
                         "Authentication Method '" + std::string(*methods) +
                             "' is already served by auth plugin '" + owner + "'");
    auth::registerMethod(*methods, p->name(), ops, instance);
  }
  return kExitOk;
}

int PluginSetup::configure() {
  for (size_t li = 0; li < cfg_.listeners.size(); ++li) {
    Stack stack;
    const auto& l = cfg_.listeners[li];
    for (size_t i = 1; i < l.stack.size(); ++i) {
      LayerSpec spec;
      if (int rc = createLayer(li, i, spec); rc != kExitOk) return rc;
      stack.layers.push_back(spec);
    }
    stacks_.push_back(std::move(stack));
  }
  for (auto& a : cfg_.authSections)
    if (int rc = createAuth(a); rc != kExitOk) return rc;
  return createStorage();
}

Stack PluginSetup::takeStack(size_t listener) { return std::move(stacks_[listener]); }

int PluginSetup::startStorage() {
  const mqgw_storage_ops* ops = &storageOps_;
  int rc = ops->start ? ops->start(storageBackend_) : MQGW_OK;
  if (rc != MQGW_OK) {
    std::fprintf(stderr, "mqgw: storage %s: failed to start: %s\n", storage_->desc->name,
                 statusText(rc));
    return kExitRuntime;
  }
  storageStarted_ = true;
  return kExitOk;
}

void PluginSetup::stopStorage() {
  if (!storageStarted_) return;
  storageStarted_ = false;
  if (storageOps_.stop) storageOps_.stop(storageBackend_);
}

void PluginSetup::destroyInstances() {
  if (destroyed_) return;
  destroyed_ = true;
  stopStorage();
  for (auto& l : created_) {
    if (l.kind == MQGW_KIND_FRONTEND) l.frontend->destroy(l.instance);
    else l.transport->destroy(l.instance);
  }
  auth::clearMethods();  // no connection runs an exchange any more: the workers stopped
  for (auto& a : auth_) a.ops->destroy(a.instance);
  auth_.clear();
  if (storageBackend_) storageOps_.destroy(storageBackend_);
  storageBackend_ = nullptr;
}

}  // namespace mqgw
