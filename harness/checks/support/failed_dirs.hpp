// Which direction(s) a failing check failed in, so an expected failure can be
// pinned to one side (ci/expected-failures.yaml `dir`). A check that judges
// several datagrams of both directions names the failing ones with
// add_failed_dir; otherwise the direction is read off its evidence.
#pragma once

#include <set>
#include <string>

#include "harness/checks/check.hpp"

namespace wireproof::checks::support {

// Adds `dir` (c2s | s2c) to r.measured["failed_dirs"] (a sorted list, no
// duplicates). Call it after r.measured has been assigned.
void add_failed_dir(CheckResult& r, const std::string& dir);

// measured.failed_dirs when the check filled it; else the directions of the
// datagrams in its evidence (a check whose evidence spans both directions
// then counts as failing in both, which no single-direction entry covers).
std::set<std::string> failed_dirs(const CheckResult& r, const events::EventLog& log);

}  // namespace wireproof::checks::support
