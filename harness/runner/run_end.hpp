// When a run is over, and what an unfinished one means (docs/RUNNER.md would
// be the place; see peers/CONTRACT.md "Ending"). Shared by the real-clock
// runner (run.cpp) and virtual-time runs (harness/virtual), so both end a run
// at the same point of its story.
//
// A run ends as soon as its outcome is decided: both peers exited, or one has
// and the other can only time out. Once a peer has exited nothing new can
// reach the survivor, so when the wire has delivered what it still held and
// the survivor has had a short grace to act on it, the harness stops it
// (SIGTERM: a contract peer reports what it has and exits). That is not an
// error: the survivor's state is recorded with the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/runner/verdict.hpp"

namespace wireproof::runner {

// How long a survivor may go on after the last thing that could reach it (the
// other peer's exit, or the wire's last pending delivery): enough for a peer
// to read a close_notify or a final flight and leave on its own.
constexpr std::int64_t kSettleGraceUs = 500'000;

class SurvivorRule {
 public:
  // Called on every turn of a run loop. one_exited: exactly one peer has
  // exited; wire_next_due_us: when the wire next delivers or releases
  // something, if ever. True when the survivor should be stopped now.
  bool should_stop(std::int64_t now_us, bool one_exited, std::optional<std::int64_t> wire_next_due_us);
  // When should_stop will next say yes if nothing else happens (for a loop that sleeps until its next event).
  std::optional<std::int64_t> stop_due_us() const;

 private:
  std::optional<std::int64_t> settle_from_us_;
};

// The note recorded for a survivor the harness stopped.
std::string survivor_stop_note(const std::string& exited_role);

// The run verdict once the checks are judged: a workload the run deadline cut
// short (the client was stopped at the deadline with chunks still
// unechoed) is a test that did not finish, reported as `error` with how far
// it got, never a check failure blaming the stacks. `checks` tells whether
// the scenario judges the workload (app_data_intact); `client_events` are the
// client's contract events. Other verdicts pass through unchanged.
Verdict judge_unfinished_workload(Verdict verdict, const PeerEnd& client, const std::vector<nlohmann::json>& client_events,
                                  const std::vector<CheckOutcome>& checks);

}  // namespace wireproof::runner
