// The run verdict (docs/RESULT.md), worst first: error > unsupported > fail > xfail > pass.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace wireproof::runner {

struct PeerEnd {
  std::string role;          // client | server
  std::optional<int> exit_code;
  std::string exit_reason;
  bool killed_at_deadline = false;
  std::string contract_violation;  // non-empty: what was wrong with its stdout
  std::string stopped_by_harness;  // non-empty: why the harness stopped it before the deadline (run_end.hpp)
};

struct CheckOutcome {
  std::string name;
  std::string verdict;       // pass | fail | not_applicable | xfail
};

struct Verdict {
  std::string verdict;
  std::string reason;
};

// harness_error: a fault of the harness itself (non-empty = error verdict).
Verdict decide_verdict(const std::string& harness_error, const PeerEnd& client, const PeerEnd& server,
                       const std::vector<CheckOutcome>& checks);

}  // namespace wireproof::runner
