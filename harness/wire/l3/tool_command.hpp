// Runs an iproute2 tool (`ip`, `tc`) from an argv vector, with no shell: namespace
// names and addresses are passed as-is, never re-parsed. Throws on failure with the
// command line, exit code and the tool's stderr, so a setup error says what broke.
#pragma once

#include <string>
#include <vector>

namespace wireproof::wire::l3 {

// Returns the tool's stdout. `tool` is looked up on PATH (and /usr/sbin, /sbin).
std::string run_tool(const std::string& tool, const std::vector<std::string>& args);

}  // namespace wireproof::wire::l3
