// The rows of each resource: what Batch::put writes and what load() reads back. Maps and lists
// (storage settings, token resources) are stored as JSON text.
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "resources/metadata_records.h"
#include "resources/metadata_store.h"

namespace mqgw::resources {
namespace {

using Json = nlohmann::json;

int64_t ns(NamespaceType t) { return t == NamespaceType::Shared ? 1 : 0; }
NamespaceType nsFrom(int64_t v) { return v == 1 ? NamespaceType::Shared : NamespaceType::Dedicated; }

std::string text(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, col)) : "";
}
int64_t num(sqlite3_stmt* s, int col) { return sqlite3_column_int64(s, col); }

// Runs `sql` and calls row(stmt) for every row; false with *error on failure.
template <class F>
bool eachRow(sqlite3* db, const char* sql, F&& row, std::string* error) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    *error = sqlite3_errmsg(db);
    return false;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) row(stmt);
  sqlite3_finalize(stmt);
  if (rc == SQLITE_DONE) return true;
  *error = sqlite3_errmsg(db);
  return false;
}

// JSON text that a crash or a hand edit broke loads as empty rather than aborting the open.
Json parseJson(const std::string& s) { return Json::parse(s, nullptr, false); }

// "INSERT ... ON CONFLICT(<key>) DO UPDATE": unlike INSERT OR REPLACE it never deletes another
// row that breaks a UNIQUE constraint; the statement fails and the batch rolls back instead.
std::string upsert(const char* table, std::initializer_list<const char*> columns,
                   const char* key) {
  std::string names, marks, updates;
  for (const char* c : columns) {
    names += std::string(names.empty() ? "" : ",") + c;
    marks += marks.empty() ? "?" : ",?";
    updates += std::string(updates.empty() ? "" : ",") + c + "=excluded." + c;
  }
  return std::string("INSERT INTO ") + table + " (" + names + ") VALUES (" + marks +
         ") ON CONFLICT(" + key + ") DO UPDATE SET " + updates;
}

}  // namespace

void MetadataStore::Batch::put(const Instance& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql = upsert(
      "instances",
      {"id", "name", "region", "namespace_type", "max_connections", "max_publish_tps",
       "max_subscriptions", "max_message_size", "storage_id", "status", "owner_account_id",
       "created_ms"},
      "id");
  add(sql.c_str(),
      {v.id, v.name, v.region, ns(v.namespaceType), int64_t{v.spec.maxConnections},
       int64_t{v.spec.maxPublishTps}, int64_t{v.spec.maxSubscriptionsPerClient},
       int64_t{v.spec.maxMessageSize}, v.storageId, static_cast<int64_t>(v.status),
       v.ownerAccountId, v.createdMs});
}

void MetadataStore::Batch::put(const StorageInstance& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql = upsert(
      "storage_instances",
      {"id", "name", "kind", "namespace_type", "settings", "bound_instance_id", "created_ms"},
      "id");
  add(sql.c_str(), {v.id, v.name, v.kind, ns(v.namespaceType), Json(v.settings).dump(),
                    v.boundInstanceId, v.createdMs});
}

void MetadataStore::Batch::put(const ParentTopic& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql = upsert(
      "topics", {"instance_id", "name", "message_type", "remark", "created_ms"},
      "instance_id,name");
  add(sql.c_str(),
      {v.instanceId, v.name, static_cast<int64_t>(v.messageType), v.remark, v.createdMs});
}

void MetadataStore::Batch::put(const GroupId& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql = upsert(
      "group_ids", {"instance_id", "name", "owner_account_id", "created_ms"}, "instance_id,name");
  add(sql.c_str(), {v.instanceId, v.name, v.ownerAccountId, v.createdMs});
}

void MetadataStore::Batch::put(const Account& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql = upsert("accounts", {"id", "name", "kind", "created_ms"}, "id");
  add(sql.c_str(), {v.id, v.name, static_cast<int64_t>(v.kind), v.createdMs});
}

void MetadataStore::Batch::put(const AccessKey& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql =
      upsert("access_keys", {"id", "secret", "account_id", "enabled", "created_ms"}, "id");
  add(sql.c_str(), {v.id, v.secret, v.accountId, int64_t{v.enabled}, v.createdMs});
}

void MetadataStore::Batch::put(const Token& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql = upsert(
      "tokens",
      {"value", "instance_id", "access_key_id", "resources", "actions", "expire_ms", "revoked",
       "created_ms"},
      "value");
  add(sql.c_str(), {v.value, v.instanceId, v.accessKeyId, Json(v.resources).dump(),
                    int64_t{v.actions}, v.expireMs, int64_t{v.revoked}, v.createdMs});
}

void MetadataStore::Batch::put(const DeviceCredential& v) {
  keys_.push_back(recordKey(v));
  static const std::string sql = upsert(
      "device_credentials",
      {"instance_id", "client_id", "key_id", "key_secret", "created_ms", "updated_ms"},
      "instance_id,client_id");
  add(sql.c_str(), {v.instanceId, v.clientId, v.deviceAccessKeyId, v.deviceAccessKeySecret,
                    v.createdMs, v.updatedMs});
}

void MetadataStore::Batch::eraseInstance(const std::string& id) {
  keys_.push_back("instance/" + id);
  add("DELETE FROM topics WHERE instance_id=?", {id});
  add("DELETE FROM group_ids WHERE instance_id=?", {id});
  add("DELETE FROM tokens WHERE instance_id=?", {id});
  add("DELETE FROM device_credentials WHERE instance_id=?", {id});
  add("DELETE FROM instances WHERE id=?", {id});
}

void MetadataStore::Batch::eraseStorage(const std::string& id) {
  keys_.push_back("storage/" + id);
  add("DELETE FROM storage_instances WHERE id=?", {id});
}

void MetadataStore::Batch::eraseTopic(const std::string& instanceId, const std::string& name) {
  keys_.push_back("topic/" + instanceId + "/" + name);
  add("DELETE FROM topics WHERE instance_id=? AND name=?", {instanceId, name});
}

void MetadataStore::Batch::eraseGroup(const std::string& instanceId, const std::string& name) {
  keys_.push_back("group/" + instanceId + "/" + name);
  add("DELETE FROM group_ids WHERE instance_id=? AND name=?", {instanceId, name});
}

void MetadataStore::Batch::eraseAccount(const std::string& id) {
  keys_.push_back("account/" + id);
  add("DELETE FROM access_keys WHERE account_id=?", {id});
  add("DELETE FROM accounts WHERE id=?", {id});
}

void MetadataStore::Batch::eraseAccessKey(const std::string& id) {
  keys_.push_back("accesskey/" + id);
  add("DELETE FROM access_keys WHERE id=?", {id});
}

void MetadataStore::Batch::eraseCredential(const std::string& instanceId,
                                           const std::string& clientId) {
  keys_.push_back("credential/" + instanceId + "/" + clientId);
  add("DELETE FROM device_credentials WHERE instance_id=? AND client_id=?", {instanceId, clientId});
}

void MetadataStore::Batch::eraseToken(const std::string& value) {
  keys_.push_back("token/" + value);
  add("DELETE FROM tokens WHERE value=?", {value});
}

bool MetadataStore::load(Contents* out, std::string* error) {
  *out = Contents{};
  auto instances = [&](sqlite3_stmt* s) {
    Instance v{text(s, 0), text(s, 1), text(s, 2), nsFrom(num(s, 3)),
               Spec{static_cast<uint32_t>(num(s, 4)), static_cast<uint32_t>(num(s, 5)),
                    static_cast<uint32_t>(num(s, 6)), static_cast<uint32_t>(num(s, 7))},
               text(s, 8), static_cast<InstanceStatus>(num(s, 9)), text(s, 10), num(s, 11)};
    out->instances.push_back(std::move(v));
  };
  auto storage = [&](sqlite3_stmt* s) {
    StorageInstance v{text(s, 0), text(s, 1), text(s, 2), nsFrom(num(s, 3)), {}, text(s, 5),
                      num(s, 6)};
    Json settings = parseJson(text(s, 4));
    if (settings.is_object())
      for (auto& [k, val] : settings.items())
        if (val.is_string()) v.settings[k] = val.get<std::string>();
    out->storage.push_back(std::move(v));
  };
  auto topics = [&](sqlite3_stmt* s) {
    out->topics.push_back({text(s, 0), text(s, 1), static_cast<MessageType>(num(s, 2)),
                           text(s, 3), num(s, 4)});
  };
  auto groups = [&](sqlite3_stmt* s) {
    out->groups.push_back({text(s, 0), text(s, 1), text(s, 2), num(s, 3)});
  };
  auto accounts = [&](sqlite3_stmt* s) {
    out->accounts.push_back({text(s, 0), text(s, 1), static_cast<AccountKind>(num(s, 2)),
                             num(s, 3)});
  };
  auto keys = [&](sqlite3_stmt* s) {
    out->accessKeys.push_back({text(s, 0), text(s, 1), text(s, 2), num(s, 3) != 0, num(s, 4)});
  };
  auto tokens = [&](sqlite3_stmt* s) {
    Token v{text(s, 0), text(s, 1), text(s, 2), {}, static_cast<uint8_t>(num(s, 4)), num(s, 5),
            num(s, 6) != 0, num(s, 7)};
    Json resources = parseJson(text(s, 3));
    if (resources.is_array())
      for (auto& r : resources)
        if (r.is_string()) v.resources.push_back(r.get<std::string>());
    out->tokens.push_back(std::move(v));
  };
  auto credentials = [&](sqlite3_stmt* s) {
    out->credentials.push_back(
        {text(s, 0), text(s, 1), text(s, 2), text(s, 3), num(s, 4), num(s, 5)});
  };
  return eachRow(db_, "SELECT * FROM instances", instances, error) &&
         eachRow(db_, "SELECT * FROM storage_instances", storage, error) &&
         eachRow(db_, "SELECT * FROM topics", topics, error) &&
         eachRow(db_, "SELECT * FROM group_ids", groups, error) &&
         eachRow(db_, "SELECT * FROM accounts", accounts, error) &&
         eachRow(db_, "SELECT * FROM access_keys", keys, error) &&
         eachRow(db_, "SELECT * FROM tokens", tokens, error) &&
         eachRow(db_, "SELECT * FROM device_credentials", credentials, error);
}

}  // namespace mqgw::resources
