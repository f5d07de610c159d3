// Durations on the command line (--expire-in 3600s, 30m, 12h, 7d; a bare number is seconds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mqgw::ctl {

// Parses `text` into milliseconds. False (and a message for the user) on anything else, on zero
// and on values over ten years, which no token may live anyway.
bool parseDuration(std::string_view text, int64_t* ms, std::string* error);

}  // namespace mqgw::ctl
