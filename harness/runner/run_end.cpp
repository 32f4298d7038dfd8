#include "harness/runner/run_end.hpp"

#include <algorithm>

namespace wireproof::runner {

bool SurvivorRule::should_stop(std::int64_t now_us, bool one_exited, std::optional<std::int64_t> wire_next_due_us) {
  if (!one_exited) {
    settle_from_us_.reset();
    return false;
  }
  if (!settle_from_us_) settle_from_us_ = now_us;
  // A delivery still due within the grace restarts it from that delivery.
  if (wire_next_due_us && *wire_next_due_us <= now_us + kSettleGraceUs)
    settle_from_us_ = std::max(*settle_from_us_, *wire_next_due_us);
  return now_us >= *settle_from_us_ + kSettleGraceUs;
}

std::optional<std::int64_t> SurvivorRule::stop_due_us() const {
  if (!settle_from_us_) return std::nullopt;
  return *settle_from_us_ + kSettleGraceUs;
}

std::string survivor_stop_note(const std::string& exited_role) {
  return "stopped by the harness: the " + exited_role + " had exited; it could only have timed out";
}

Verdict judge_unfinished_workload(Verdict verdict, const PeerEnd& client, const std::vector<nlohmann::json>& client_events,
                                  const std::vector<CheckOutcome>& checks) {
  if (verdict.verdict == "unsupported" || !client.killed_at_deadline) return verdict;
  const bool judged = std::any_of(checks.begin(), checks.end(), [](const CheckOutcome& c) {
    return c.name == "app_data_intact" && c.verdict != "not_applicable";
  });
  if (!judged) return verdict;
  for (auto it = client_events.rbegin(); it != client_events.rend(); ++it) {
    const auto& e = *it;
    if (e.value("event", "") != "app_data") continue;
    if (!e.value("incomplete", false)) return verdict;
    return {"error", "workload did not finish before the run deadline: " + std::to_string(e.value("echoed_chunks", 0)) +
                         " of " + std::to_string(e.value("chunks", 0)) + " chunks echoed"};
  }
  return verdict;
}

}  // namespace wireproof::runner
