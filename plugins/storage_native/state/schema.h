// The state store's tables, connection settings and schema versioning.
#pragma once

#include <cstdint>
#include <string>

#include "sqlite_handle.h"

namespace mqgw::native {

// Bumped whenever a table changes; each step from N-1 to N lives in schema.cc.
inline constexpr int64_t kStateSchemaVersion = 1;
// The meta row holding the schema version; StateStore keeps callers away from it.
inline constexpr const char* kSchemaVersionKey = "schema_version";

// Sets WAL mode and the synchronous level, then creates a fresh schema or migrates an older
// one inside one transaction. Refuses a version newer than kStateSchemaVersion and a file
// that is not a SQLite database; *error names the file either way.
bool prepareSchema(Database& db, bool syncFull, std::string* error);

}  // namespace mqgw::native
