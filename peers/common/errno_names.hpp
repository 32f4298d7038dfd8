// errno values by their symbolic names ("ECONNRESET"), for contract error
// events: a checker compares names, never strerror text, which varies by libc
// and locale (peers/CONTRACT.md "TCP").
#pragma once

#include <string>

namespace wireproof::peers {

// "ECONNRESET" for ECONNRESET; "errno_<n>" for a value the table lacks.
std::string errno_name(int err);

}  // namespace wireproof::peers
