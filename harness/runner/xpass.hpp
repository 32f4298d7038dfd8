// XPASS (tlsfuzzer's rule): an expected-failure entry that covers a cell that
// was judged, but matched no failing check, is stale: the finding is fixed,
// or the entry is wrong. `run --expect` and `matrix --expect` report each one
// and exit 1. Reads what the runs wrote (result.json), so the matrix needs
// nothing from its child processes but their results.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/runner/expectations.hpp"

namespace wireproof::runner {

// The cell of a result.json whose checks ran (verdict not error or
// unsupported); nullopt otherwise: a run that judged nothing proves nothing
// about an entry.
std::optional<CellIdentity> judged_cell(const nlohmann::json& result);

// [{"entry": "file:line:col", "scenario", "client", "server", "check", "reason"}, ...]
// for the entries of `expect` that cover a judged cell of `results` but that
// no check of those results was xfailed with ("expected_failure_entry").
nlohmann::json find_xpass(const Expectations& expect, const std::vector<nlohmann::json>& results);

// The exit code once stale entries are counted: a stale expectation fails an
// otherwise green run or matrix (1); any other code stands.
inline int exit_code_with_xpass(int rc, const nlohmann::json& xpass) { return rc == 0 && !xpass.empty() ? 1 : rc; }

// One line per entry, for people: "xpass ci/x.yaml:12:3 (scenario ... check ...): no failure matched; ...".
std::string xpass_lines(const nlohmann::json& xpass);

}  // namespace wireproof::runner
