// Streams the stored state back at startup: one row in memory at a time.
#pragma once

#include <string>

#include "sqlite_handle.h"
#include "state_types.h"

namespace mqgw::native {

// Visits every session (with its decoded cursor), floor, retained record and meta value
// except the schema version. A cursor blob that does not decode fails the load, naming the
// client: silently following the floor instead could skip undelivered messages.
bool loadState(Database& db, StateVisitor& visitor, std::string* error);

}  // namespace mqgw::native
