// Prints a RunResult: an aligned human-readable table, or exactly one JSON line.
#pragma once

#include <string>

#include "controller.h"
#include "options.h"

namespace mqgw::bench {

std::string jsonLine(const Options& o, const RunResult& r, int exitCode);
std::string humanTable(const Options& o, const RunResult& r, int exitCode);

}  // namespace mqgw::bench
