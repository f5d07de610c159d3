// Text for people: aligned tables for lists and "key: value" listings for single objects.
#pragma once

#include "invocation.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqgw::ctl {

// The value at a dotted path ("Spec.MaxConnections"), or nullptr.
const Json* lookupPath(const Json& object, std::string_view path);
// "2025-11-26T06:03:20Z" (UTC, milliseconds dropped).
std::string formatTimeMs(int64_t ms);
// A value as text: strings bare, arrays of scalars comma-joined, other containers as compact
// JSON; integers in fields named *Time are Unix milliseconds and shown as formatTimeMs.
std::string cellText(const Json& value, std::string_view field);

// One header line then one line per element of `rows`, columns padded to the widest cell and
// separated by two spaces; an empty cell shows "-".
std::string renderTable(const std::vector<Column>& columns, const Json& rows);
// One "Key: value" line per field, values aligned; nested objects are flattened ("Spec.MaxConnections").
std::string renderKeyValues(const Json& object);

}  // namespace mqgw::ctl
