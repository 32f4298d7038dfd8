// A matrix cell's tries: when to run a cell again, and the cell's verdict over
// its tries. A cell is re-run (same seed, so the same wire fates) when host
// noise may have decided it: its run was `inconclusive`, or it failed a check
// that judges timing. An inconclusive try says nothing about the stack, so
// the verdict comes from the conclusive tries: they agree -> that verdict;
// they differ -> `flaky` (every try kept); none -> `inconclusive`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wireproof::runner {

// Checks whose verdict depends on when datagrams left, so a loaded host can fail them.
const std::vector<std::string>& timing_checks();

// One try (a summary run entry: "verdict", "failed_checks") that host noise may have decided.
bool worth_retrying(const nlohmann::json& try_run);

// The cell's verdict over its tries so far.
std::string cell_verdict(const std::vector<nlohmann::json>& tries);

// True when the cell needs another try: the last one is worth retrying, fewer
// than `retries` re-runs were made, and the tries do not already disagree.
bool needs_another_try(const std::vector<nlohmann::json>& tries, unsigned retries);

// The cell's directory for try k (1-based), relative to the matrix out dir:
// the first in the cell's own directory, then DIR/try-2, DIR/try-3 ...
std::string try_dir(const std::string& cell_dir, unsigned k);

}  // namespace wireproof::runner
