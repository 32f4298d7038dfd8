// wireproof-peer-ref only: `--bug NAME` (repeatable, or `--bug=NAME`) turns on
// one misbehaviour switch of the reference stack (impl/dtls/protocol_bugs.hpp).
// The flags are taken out of the command line before the shared contract
// parser sees the rest, so the contract itself does not change.
#pragma once

#include <string>
#include <vector>

#include "impl/dtls/protocol_bugs.hpp"

namespace wireproof::peers::ref {

struct BugFlags {
  std::vector<std::string> rest;  // every other argument, in order
  dtls::ProtocolBugs bugs;
  std::string error;              // non-empty: a usage error naming the known switches
};

BugFlags take_bug_flags(const std::vector<std::string>& args);

}  // namespace wireproof::peers::ref
