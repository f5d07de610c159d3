// Rows to and from replication records (metadata_records.h). Field names are the SQLite
// columns (metadata_store.cc); enums are written as the API's words.
#include "resources/metadata_records.h"

#include <nlohmann/json.hpp>

namespace mqgw::resources {
namespace {

using Json = nlohmann::json;

const char* nsName(NamespaceType t) { return t == NamespaceType::Shared ? "shared" : "dedicated"; }
const char* statusName(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::Ready: return "ready";
    case InstanceStatus::Unusable: return "unusable";
    default: return "unbound";
  }
}

// Reads fields of one JSON object; any missing or mistyped field clears ok.
struct Reader {
  const Json& j;
  bool ok = true;
  std::string str(const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return ok = false, "";
    return it->get<std::string>();
  }
  int64_t num(const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer()) return ok = false, 0;
    return it->get<int64_t>();
  }
  uint32_t u32(const char* name) {
    int64_t v = num(name);
    if (v < 0 || v > int64_t{UINT32_MAX}) return ok = false, 0;
    return static_cast<uint32_t>(v);
  }
  bool flag(const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_boolean()) return ok = false, false;
    return it->get<bool>();
  }
  // One of `words`; its index.
  int pick(const char* name, std::initializer_list<const char*> words) {
    std::string v = str(name);
    int i = 0;
    for (const char* w : words) {
      if (v == w) return i;
      ++i;
    }
    ok = false;
    return 0;
  }
  NamespaceType ns() {
    return pick("namespace_type", {"dedicated", "shared"}) ? NamespaceType::Shared
                                                            : NamespaceType::Dedicated;
  }
};

Instance instanceFrom(Reader& r) {
  Instance v;
  v.id = r.str("id");
  v.name = r.str("name");
  v.region = r.str("region");
  v.namespaceType = r.ns();
  v.spec = Spec{r.u32("max_connections"), r.u32("max_publish_tps"), r.u32("max_subscriptions"),
                r.u32("max_message_size")};
  v.storageId = r.str("storage_id");
  v.status = static_cast<InstanceStatus>(r.pick("status", {"unbound", "ready", "unusable"}));
  v.ownerAccountId = r.str("owner_account_id");
  v.createdMs = r.num("created_ms");
  return v;
}

StorageInstance storageFrom(Reader& r) {
  StorageInstance v;
  v.id = r.str("id");
  v.name = r.str("name");
  v.kind = r.str("kind");
  v.namespaceType = r.ns();
  auto settings = r.j.find("settings");
  if (settings == r.j.end() || !settings->is_object()) r.ok = false;
  else
    for (auto& [k, val] : settings->items()) {
      if (!val.is_string()) r.ok = false;
      else v.settings[k] = val.get<std::string>();
    }
  v.boundInstanceId = r.str("bound_instance_id");
  v.createdMs = r.num("created_ms");
  return v;
}

Token tokenFrom(Reader& r) {
  Token v;
  v.value = r.str("value");
  v.instanceId = r.str("instance_id");
  v.accessKeyId = r.str("access_key_id");
  auto resources = r.j.find("resources");
  if (resources == r.j.end() || !resources->is_array()) r.ok = false;
  else
    for (auto& f : *resources) {
      if (!f.is_string()) r.ok = false;
      else v.resources.push_back(f.get<std::string>());
    }
  int64_t actions = r.num("actions");
  if (actions < 0 || actions > 255) r.ok = false;
  v.actions = static_cast<uint8_t>(actions);
  v.expireMs = r.num("expire_ms");
  v.revoked = r.flag("revoked");
  v.createdMs = r.num("created_ms");
  return v;
}

std::optional<Row> rowFrom(RecordKind kind, Reader& r) {
  switch (kind) {
    case RecordKind::Instance: return instanceFrom(r);
    case RecordKind::Storage: return storageFrom(r);
    case RecordKind::Topic:
      return ParentTopic{r.str("instance_id"), r.str("name"),
                         static_cast<MessageType>(r.pick("message_type", {"normal", "ordered"})),
                         r.str("remark"), r.num("created_ms")};
    case RecordKind::Group:
      return GroupId{r.str("instance_id"), r.str("name"), r.str("owner_account_id"),
                     r.num("created_ms")};
    case RecordKind::Account:
      return Account{r.str("id"), r.str("name"),
                     static_cast<AccountKind>(r.pick("kind", {"main", "sub"})),
                     r.num("created_ms")};
    case RecordKind::AccessKey:
      return AccessKey{r.str("id"), r.str("secret"), r.str("account_id"), r.flag("enabled"),
                       r.num("created_ms")};
    case RecordKind::Token: return tokenFrom(r);
    case RecordKind::Credential:
      return DeviceCredential{r.str("instance_id"), r.str("client_id"), r.str("key_id"),
                              r.str("key_secret"), r.num("created_ms"), r.num("updated_ms")};
  }
  return std::nullopt;
}

}  // namespace

std::string recordKey(const Instance& v) { return "instance/" + v.id; }
std::string recordKey(const StorageInstance& v) { return "storage/" + v.id; }
std::string recordKey(const ParentTopic& v) { return "topic/" + v.instanceId + "/" + v.name; }
std::string recordKey(const GroupId& v) { return "group/" + v.instanceId + "/" + v.name; }
std::string recordKey(const Account& v) { return "account/" + v.id; }
std::string recordKey(const AccessKey& v) { return "accesskey/" + v.id; }
std::string recordKey(const Token& v) { return "token/" + v.value; }
std::string recordKey(const DeviceCredential& v) {
  return "credential/" + v.instanceId + "/" + v.clientId;
}

std::string recordValue(const Instance& v) {
  return Json{{"id", v.id},
              {"name", v.name},
              {"region", v.region},
              {"namespace_type", nsName(v.namespaceType)},
              {"max_connections", v.spec.maxConnections},
              {"max_publish_tps", v.spec.maxPublishTps},
              {"max_subscriptions", v.spec.maxSubscriptionsPerClient},
              {"max_message_size", v.spec.maxMessageSize},
              {"storage_id", v.storageId},
              {"status", statusName(v.status)},
              {"owner_account_id", v.ownerAccountId},
              {"created_ms", v.createdMs}}
      .dump();
}
std::string recordValue(const StorageInstance& v) {
  return Json{{"id", v.id},
              {"name", v.name},
              {"kind", v.kind},
              {"namespace_type", nsName(v.namespaceType)},
              {"settings", v.settings},
              {"bound_instance_id", v.boundInstanceId},
              {"created_ms", v.createdMs}}
      .dump();
}
std::string recordValue(const ParentTopic& v) {
  return Json{{"instance_id", v.instanceId},
              {"name", v.name},
              {"message_type", v.messageType == MessageType::Ordered ? "ordered" : "normal"},
              {"remark", v.remark},
              {"created_ms", v.createdMs}}
      .dump();
}
std::string recordValue(const GroupId& v) {
  return Json{{"instance_id", v.instanceId},
              {"name", v.name},
              {"owner_account_id", v.ownerAccountId},
              {"created_ms", v.createdMs}}
      .dump();
}
std::string recordValue(const Account& v) {
  return Json{{"id", v.id},
              {"name", v.name},
              {"kind", v.kind == AccountKind::Main ? "main" : "sub"},
              {"created_ms", v.createdMs}}
      .dump();
}
std::string recordValue(const AccessKey& v) {
  return Json{{"id", v.id},
              {"secret", v.secret},
              {"account_id", v.accountId},
              {"enabled", v.enabled},
              {"created_ms", v.createdMs}}
      .dump();
}
std::string recordValue(const Token& v) {
  return Json{{"value", v.value},
              {"instance_id", v.instanceId},
              {"access_key_id", v.accessKeyId},
              {"resources", v.resources},
              {"actions", v.actions},
              {"expire_ms", v.expireMs},
              {"revoked", v.revoked},
              {"created_ms", v.createdMs}}
      .dump();
}
std::string recordValue(const DeviceCredential& v) {
  return Json{{"instance_id", v.instanceId},
              {"client_id", v.clientId},
              {"key_id", v.deviceAccessKeyId},
              {"key_secret", v.deviceAccessKeySecret},
              {"created_ms", v.createdMs},
              {"updated_ms", v.updatedMs}}
      .dump();
}

std::string recordKey(const Row& row) {
  return std::visit([](const auto& v) { return recordKey(v); }, row);
}
std::string recordValue(const Row& row) {
  return std::visit([](const auto& v) { return recordValue(v); }, row);
}

std::optional<std::pair<RecordKind, std::string>> splitRecordKey(std::string_view key) {
  static const std::pair<std::string_view, RecordKind> kKinds[] = {
      {"instance", RecordKind::Instance}, {"storage", RecordKind::Storage},
      {"topic", RecordKind::Topic},       {"group", RecordKind::Group},
      {"account", RecordKind::Account},   {"accesskey", RecordKind::AccessKey},
      {"token", RecordKind::Token},       {"credential", RecordKind::Credential}};
  auto slash = key.find('/');
  if (slash == std::string_view::npos || slash + 1 == key.size()) return std::nullopt;
  for (const auto& [name, kind] : kKinds)
    if (key.substr(0, slash) == name) return std::make_pair(kind, std::string(key.substr(slash + 1)));
  return std::nullopt;
}

std::optional<Row> parseRecord(std::string_view key, std::string_view value) {
  auto split = splitRecordKey(key);
  if (!split) return std::nullopt;
  Json j = Json::parse(value, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  Reader reader{j};
  auto row = rowFrom(split->first, reader);
  if (!row || !reader.ok || recordKey(*row) != key) return std::nullopt;
  return row;
}

}  // namespace mqgw::resources
