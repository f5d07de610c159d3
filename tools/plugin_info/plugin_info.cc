// mqgw-plugin-info: load plugin files with the gateway's own loader (same checks, same error
// lines) and print each descriptor: name, kind, version, ABI, capabilities, config schema.
// Exit code 3 if any file is refused, like mqgw itself.
#include <cstdio>
#include <string>

#include "plugin/host_api.h"
#include "plugin/loader.h"

namespace {

const char* kindName(uint32_t k) {
  switch (k) {
    case MQGW_KIND_TRANSPORT: return "transport";
    case MQGW_KIND_FRONTEND: return "frontend";
    case MQGW_KIND_STORAGE: return "storage";
    default: return "unknown";
  }
}

const char* typeName(uint32_t t) {
  static const char* names[] = {"?",    "bool", "int",  "double", "string",
                                "duration", "size", "file", "prefix", "enum"};
  return t < sizeof names / sizeof names[0] ? names[t] : "?";
}

void print(const mqgw::LoadedPlugin& p) {
  const mqgw_plugin_descriptor* d = p.desc;
  std::printf("%s\n  file: %s\n  kind: %s\n  version: %s\n  abi: %u.%u\n  caps: 0x%llx\n",
              d->name, p.path.c_str(), kindName(d->kind), d->version ? d->version : "",
              MQGW_ABI_MAJOR_OF(d->abi_version), MQGW_ABI_MINOR_OF(d->abi_version),
              static_cast<unsigned long long>(d->caps));
  if (d->config_schema_len == 0) std::printf("  config: (no settings)\n");
  for (uint32_t i = 0; i < d->config_schema_len; ++i) {
    const mqgw_config_key& k = d->config_schema[i];
    std::printf("  config %-24s %-8s %s%s%s  %s\n", k.key, typeName(k.type),
                k.required ? "required" : "default=", k.required ? "" : "",
                k.required ? "" : (k.default_value ? k.default_value : "(none)"),
                k.help ? k.help : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mqgw-plugin-info PLUGIN.so...\n");
    return 2;
  }
  mqgw::PluginLoader loader(mqgw::hostApi());
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    if (auto err = loader.loadFile(argv[i])) {
      std::fprintf(stderr, "%s\n", err->line().c_str());
      rc = 3;
      continue;
    }
    print(*loader.plugins().back());
  }
  return rc;
}
