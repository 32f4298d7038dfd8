#include "harness/runner/verdict.hpp"

#include "harness/runner/capabilities.hpp"

namespace wireproof::runner {

// Contract exit codes (peers/CONTRACT.md): 0 ok, 1 handshake failed, 2 workload
// failed are outcomes the checks judge; anything else means the peer broke.
static std::optional<std::string> peer_error(const PeerEnd& p) {
  if (!p.contract_violation.empty()) return p.role + " broke the peer contract: " + p.contract_violation;
  if (p.killed_at_deadline) return p.role + " still running at the run deadline: " + p.exit_reason;
  // Stopped once it could only time out (run_end.hpp): its state is the outcome, unless it ignored the SIGTERM.
  if (!p.stopped_by_harness.empty())
    return p.exit_code == 128 + 9 ? std::optional<std::string>(p.role + " did not exit on SIGTERM (" + p.stopped_by_harness + ")")
                                  : std::nullopt;
  if (!p.exit_code) return p.role + (p.exit_reason.empty() ? " was not started" : ": " + p.exit_reason);
  int c = *p.exit_code;
  if (c == 0 || c == 1 || c == 2 || c == 127) return std::nullopt;
  if (c == 3) return p.role + " rejected its arguments (exit 3, usage error); see " + p.role + ".stderr";
  if (c == 4) return p.role + " hit an I/O or internal error (exit 4); see " + p.role + ".stderr";
  return p.role + " crashed: " + p.exit_reason;
}

Verdict decide_verdict(const std::string& harness_error, const PeerEnd& client, const PeerEnd& server,
                       const std::vector<CheckOutcome>& checks) {
  // A peer that cannot run the scenario at all makes the rest moot (the other
  // peer may never have been started).
  for (const auto* p : {&server, &client})
    if (auto why = unsupported_reason(*p)) return {"unsupported", *why};
  if (!harness_error.empty()) return {"error", harness_error};
  for (const auto* p : {&server, &client})
    if (auto e = peer_error(*p)) return {"error", *e};
  std::string failed, inconclusive, xfailed;
  for (const auto& c : checks) {
    if (c.verdict == "fail") failed += (failed.empty() ? "" : ", ") + c.name;
    if (c.verdict == "inconclusive") inconclusive += (inconclusive.empty() ? "" : ", ") + c.name;
    if (c.verdict == "xfail") xfailed += (xfailed.empty() ? "" : ", ") + c.name;
  }
  if (!failed.empty()) return {"fail", "failed: " + failed};
  if (!inconclusive.empty()) return {"inconclusive", "host noise hid the stack's behaviour: " + inconclusive};
  if (!xfailed.empty()) return {"xfail", "known failures: " + xfailed};
  return {"pass", ""};
}

int run_exit_code(const std::string& verdict) {
  if (verdict == "pass" || verdict == "xfail") return 0;
  if (verdict == "fail") return 1;
  if (verdict == "unsupported") return 4;
  if (verdict == "inconclusive") return 5;
  return 3;
}

}  // namespace wireproof::runner
