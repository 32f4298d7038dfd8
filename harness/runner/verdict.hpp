// The run verdict (docs/RESULT.md), worst first: error > unsupported > fail > inconclusive > xfail > pass.
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
  // The option it refused (runner/capabilities.hpp): from its "unsupported:"
  // error event, or, with not_started_unsupported, from its registry declaration.
  std::string refused;
  bool not_started_unsupported = false;
  std::string stopped_by_harness;  // non-empty: why the harness stopped it before the deadline (run_end.hpp)
};

struct CheckOutcome {
  std::string name;
  std::string verdict;       // pass | fail | not_applicable | xfail | inconclusive
};

struct Verdict {
  std::string verdict;
  std::string reason;
};

// harness_error: a fault of the harness itself (non-empty = error verdict).
// A check that could not tell stack behaviour from host noise (inconclusive)
// makes the run inconclusive unless another check failed.
Verdict decide_verdict(const std::string& harness_error, const PeerEnd& client, const PeerEnd& server,
                       const std::vector<CheckOutcome>& checks);

// Exit code of `wireproof run` for a run verdict (README "Using it"): 0 pass or
// xfail, 1 fail, 3 error, 4 unsupported, 5 inconclusive.
int run_exit_code(const std::string& verdict);

}  // namespace wireproof::runner
