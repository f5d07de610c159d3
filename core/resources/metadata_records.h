// The console's resources as replication records, the form in which a clustered backend shares
// them between gateway nodes (docs/decisions/0006-console-instances.md): key "<kind>/<id>",
// value one row as compact JSON with every field (secrets included), "" for a deleted row.
//   instance/<InstanceId>            storage/<StorageInstanceId>
//   topic/<InstanceId>/<name>        group/<InstanceId>/<GroupId>
//   account/<AccountId>              accesskey/<AccessKeyId>
//   token/<token>                    credential/<InstanceId>/<ClientId>
// Pure conversions: no state, no locks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "resources/catalog.h"

namespace mqgw::resources {

std::string recordKey(const Instance& v);
std::string recordKey(const StorageInstance& v);
std::string recordKey(const ParentTopic& v);
std::string recordKey(const GroupId& v);
std::string recordKey(const Account& v);
std::string recordKey(const AccessKey& v);
std::string recordKey(const Token& v);
std::string recordKey(const DeviceCredential& v);

std::string recordValue(const Instance& v);
std::string recordValue(const StorageInstance& v);
std::string recordValue(const ParentTopic& v);
std::string recordValue(const GroupId& v);
std::string recordValue(const Account& v);
std::string recordValue(const AccessKey& v);
std::string recordValue(const Token& v);
std::string recordValue(const DeviceCredential& v);

using Row = std::variant<Instance, StorageInstance, ParentTopic, GroupId, Account, AccessKey,
                         Token, DeviceCredential>;

enum class RecordKind { Instance, Storage, Topic, Group, Account, AccessKey, Token, Credential };

// "topic/mqtt-1/demo" → {Topic, "mqtt-1/demo"}; nullopt for an unknown kind or an empty id.
std::optional<std::pair<RecordKind, std::string>> splitRecordKey(std::string_view key);

// The row a record's value holds, checked against its key (a row whose own key differs is
// refused). nullopt: not JSON, a field of the wrong type, or a key mismatch.
std::optional<Row> parseRecord(std::string_view key, std::string_view value);

std::string recordKey(const Row& row);
std::string recordValue(const Row& row);

}  // namespace mqgw::resources
