// The write statements, prepared once per connection and reused for every batch.
#pragma once

#include <string>

#include "pending_batch.h"
#include "sqlite_handle.h"

namespace mqgw::native {

class Statements {
 public:
  bool prepare(const Database& db, std::string* error);

  bool begin(std::string* error) { return begin_.run(*db_, error); }
  bool commit(std::string* error) { return commit_.run(*db_, error); }
  // Best effort: after a failed COMMIT SQLite may already have rolled back.
  void rollback();

  // Writes every row of `batch` (one statement per key) inside the open transaction.
  bool apply(const PendingBatch& batch, std::string* error);

 private:
  bool applySession(std::string_view clientId, const PendingBatch::SessionEntry& entry,
                    std::string* error);

  const Database* db_ = nullptr;
  Statement begin_, commit_, rollback_;
  Statement upsertState_, upsertStateAndCursor_, updateCursor_, deleteSession_;
  Statement upsertFloor_, upsertRetained_, deleteRetained_, upsertMeta_;
};

}  // namespace mqgw::native
