#include "harness/runner/run_result.hpp"

#include <chrono>
#include <ctime>
#include <optional>

#include "harness/checks/check.hpp"
#include "harness/runner/run_end.hpp"

namespace wireproof::runner {

using nlohmann::json;

namespace {

constexpr const char* kToolVersion = "0.1.0";
constexpr int kResultSchemaVersion = 1;

std::optional<json> last_event(const std::vector<json>& events, const std::string& name) {
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if ((*it)["event"] == name) return *it;
  return std::nullopt;
}

checks::PeerOutcome outcome(const PeerRecord& p) {
  return {p.end.role, p.events, p.end.exit_code.value_or(-1), p.end.exit_reason};
}

// The initial retransmission timer a peer really used: the value it reported
// as fixed ("timer_initial_ms_effective" in its ready event: a stock tool
// whose registry entry fixes the timer), else the scenario's, else unknown
// (the library's default; the checks assume 1000).
std::optional<int> effective_timer_ms(const PeerRecord& p, const scenario::Scenario& sc) {
  for (const auto& ev : p.events)
    if (ev.contains("timer_initial_ms_effective") && ev["timer_initial_ms_effective"].is_number_integer())
      return ev["timer_initial_ms_effective"].get<int>();
  return sc.peers.timer_initial_ms;
}

json peer_json(const PeerRecord& p, const scenario::Scenario& sc) {
  const auto timer = effective_timer_ms(p, sc);
  return {{"name", p.command->name},
          {"implementation", p.command->implementation},
          {"version", p.command->version},
          {"argv", p.argv},
          {"exit_code", p.end.exit_code ? json(*p.end.exit_code) : json(nullptr)},
          {"exit_reason", p.end.exit_reason},
          {"stopped_by_harness", p.end.stopped_by_harness.empty() ? json(nullptr) : json(p.end.stopped_by_harness)},
          {"timer_initial_ms_effective", timer ? json(*timer) : json(nullptr)}};
}

}  // namespace

std::string iso_now_utc() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::tm tm{};
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", ::gmtime_r(&t, &tm));
  return buf;
}

json assemble_result(const RunRecord& run) {
  const RunConfig& cfg = *run.config;
  const auto& sc = cfg.scenario;
  auto client_out = outcome(run.client), server_out = outcome(run.server);
  std::vector<checks::CheckResult> results;
  if (run.harness_error.empty()) {
    checks::Inputs in{sc, *run.log, client_out, server_out};
    in.client_timer_initial_ms = effective_timer_ms(run.client, sc);
    in.server_timer_initial_ms = effective_timer_ms(run.server, sc);
    results = checks::run_checks(in);
  }

  json checks_json = json::array();
  std::vector<CheckOutcome> outcomes;
  for (const auto& r : results) {
    json j = checks::to_json(r);
    if (r.verdict == checks::Verdict::fail)
      if (auto why = cfg.expectations.known_failure(sc.name, cfg.client.name, cfg.server.name, r.name)) {
        j["verdict"] = "xfail";
        j["expected_failure"] = *why;
      }
    outcomes.push_back({r.name, j["verdict"].get<std::string>()});
    checks_json.push_back(std::move(j));
  }
  Verdict v = decide_verdict(run.harness_error, run.client.end, run.server.end, outcomes);
  v = judge_unfinished_workload(v, run.client.end, run.client.events, outcomes);

  json handshake{{"completed", false}};
  if (auto hs = last_event(run.client.events, "handshake_done")) {
    handshake = {{"completed", last_event(run.server.events, "handshake_done").has_value()},
                 {"version", hs->value("version", "")},
                 {"cipher", hs->value("cipher", "")},
                 {"time_ms", hs->value("time_ms", 0.0)}};
  }
  const auto& t = run.totals;
  return {
      {"schema_version", kResultSchemaVersion},
      {"tool", {{"name", "wireproof"}, {"version", kToolVersion}}},
      {"scenario",
       {{"name", sc.name}, {"file", sc.file}, {"description", sc.description}, {"refs", sc.refs},
        {"protocol", sc.protocol}}},
      {"client", peer_json(run.client, sc)},
      {"server", peer_json(run.server, sc)},
      {"seed", cfg.seed},
      {"clock", run.clock},
      {"started_at", run.started_at},
      {"duration_s", run.duration_s},
      {"verdict", v.verdict},
      {"reason", v.reason},
      {"handshake", handshake},
      {"app_data",
       {{"client", last_event(run.client.events, "app_data").value_or(json(nullptr))},
        {"server", last_event(run.server.events, "app_data").value_or(json(nullptr))}}},
      {"checks", checks_json},
      {"wire",
       {{"datagrams", t.datagrams}, {"bytes", t.bytes}, {"dropped", t.dropped}, {"duplicated", t.duplicated},
        {"reordered", t.reordered}, {"delayed", t.delayed}, {"corrupted", t.corrupted},
        {"malformed", t.malformed}}},
      {"artifacts", run.artifacts},
  };
}

}  // namespace wireproof::runner
