#include "plugin/loader.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mqgw {

size_t minOpsSize(uint32_t kind) {
  switch (kind) {
    case MQGW_KIND_TRANSPORT: return offsetof(mqgw_transport_ops, reserved);
    case MQGW_KIND_FRONTEND: return offsetof(mqgw_frontend_ops, reserved);
    case MQGW_KIND_STORAGE: return offsetof(mqgw_storage_ops, reserved);
    case MQGW_KIND_AUTH: return offsetof(mqgw_auth_ops, reserved);
    default: return 0;
  }
}

PluginLoader::~PluginLoader() {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it)
    if ((*it)->handle) dlclose((*it)->handle);
}

std::optional<std::string> PluginLoader::check(const mqgw_plugin_descriptor* d) const {
  using std::to_string;
  if (!d) return "entry returned no descriptor";
  uint32_t major = MQGW_ABI_MAJOR_OF(d->abi_version), minor = MQGW_ABI_MINOR_OF(d->abi_version);
  if (major != MQGW_ABI_MAJOR)
    return "ABI major version " + to_string(major) + " does not match the host's " +
           to_string(MQGW_ABI_MAJOR);
  if (minor > MQGW_ABI_MINOR)
    return "built for ABI " + to_string(major) + "." + to_string(minor) +
           ", newer than the host's " + to_string(MQGW_ABI_MAJOR) + "." +
           to_string(MQGW_ABI_MINOR);
  if (d->struct_size < sizeof(mqgw_plugin_descriptor))
    return "descriptor struct too short (" + to_string(d->struct_size) + " bytes, need " +
           to_string(sizeof(mqgw_plugin_descriptor)) + ")";
  if (!d->build_sig || std::strcmp(d->build_sig, MQGW_BUILD_SIG) != 0)
    return std::string("build signature '") + (d->build_sig ? d->build_sig : "(null)") +
           "' does not match the host's '" MQGW_BUILD_SIG "'";
  if (!d->name || !*d->name) return "descriptor has no name";
  size_t need = minOpsSize(d->kind);
  if (need == 0) return "unknown plugin kind " + to_string(d->kind);
  if (!d->ops || d->ops_size < need)
    return "ops table too short (" + to_string(d->ops_size) + " bytes, need " + to_string(need) +
           ")";
  if (d->config_schema_len && !d->config_schema) return "config schema length without a schema";
  return std::nullopt;
}

std::optional<LoadError> PluginLoader::loadFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return LoadError{path, std::string("file not found: ") +
                                                                 std::strerror(errno)};
  if (!S_ISREG(st.st_mode)) return LoadError{path, "not a regular file"};
  // RTLD_NOLOAD: the same file loaded twice is a duplicate, not a second copy.
  if (void* again = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) {
    dlclose(again);
    for (auto& p : plugins_)
      if (p->path == path) return LoadError{path, "duplicate plugin name '" + p->name() +
                                                      "' (this file is already loaded)"};
  }
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) return LoadError{path, std::string("cannot load: ") + dlerror()};
  auto entry = reinterpret_cast<mqgw_plugin_entry_fn>(dlsym(h, MQGW_PLUGIN_ENTRY_SYMBOL));
  if (!entry) {
    dlclose(h);
    return LoadError{path, "missing entry symbol " MQGW_PLUGIN_ENTRY_SYMBOL};
  }
  const mqgw_plugin_descriptor* d = nullptr;
  int rc = entry(MQGW_ABI_VERSION, host_, &d);
  if (rc != MQGW_OK) {
    dlclose(h);
    return LoadError{path, std::string("entry returned an error: ") + host_->err_name(rc)};
  }
  if (auto why = check(d)) {
    dlclose(h);
    return LoadError{path, *why};
  }
  for (auto& p : plugins_) {
    if (p->name() == d->name) {
      LoadError err{path, "duplicate plugin name '" + p->name() + "' (already loaded from " +
                              p->path + ")"};
      dlclose(h);  // d points into the unloaded object from here on
      return err;
    }
  }
  auto p = std::make_unique<LoadedPlugin>();
  p->path = path;
  p->handle = h;
  p->desc = d;
  plugins_.push_back(std::move(p));
  return std::nullopt;
}

std::optional<LoadError> PluginLoader::require(const std::string& name, const std::string& dir) {
  if (find(name)) return std::nullopt;
  std::string path = dir + "/mqgw-" + name + ".so";
  if (auto err = loadFile(path)) return err;
  if (plugins_.back()->name() != name)
    return LoadError{path, "declares name '" + plugins_.back()->name() + "', expected '" + name +
                               "'"};
  return std::nullopt;
}

const LoadedPlugin* PluginLoader::find(const std::string& name) const {
  for (auto& p : plugins_)
    if (p->name() == name) return p.get();
  return nullptr;
}

}  // namespace mqgw
