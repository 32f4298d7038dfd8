#include "harness/runner/run_result.hpp"

#include "harness/runner/peer_argv.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/checks/check.hpp"
#include "harness/checks/support/failed_dirs.hpp"
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

// The initial retransmission timer the harness ASKED a peer to use (the
// checks judge against it, docs/CHECKS.md): the registry's `fixed` value for
// a stock tool that cannot take the option, else --timer-initial-ms in its
// argv, else the library default (1000, RFC 6347 4.2.4.1). Never what the
// peer says about itself.
int asked_timer_ms(const PeerRecord& p) {
  const auto& fixed = p.end.role == "client" ? p.command->fixed_timer_ms_as_client : p.command->fixed_timer_ms_as_server;
  if (fixed) return *fixed;
  for (std::size_t k = 0; k + 1 < p.argv.size(); ++k)
    if (p.argv[k] == "--timer-initial-ms") return std::stoi(p.argv[k + 1]);
  return 1000;
}

// What the peer said it runs with (`timer_initial_ms_effective` in an event).
std::optional<int> reported_timer_ms(const PeerRecord& p) {
  for (const auto& ev : p.events)
    if (ev.contains("timer_initial_ms_effective") && ev["timer_initial_ms_effective"].is_number_integer())
      return ev["timer_initial_ms_effective"].get<int>();
  return std::nullopt;
}

// The peer's report when it is not what it was asked: a contract violation.
std::optional<int> report_differing_from_asked(const PeerRecord& p) {
  const auto reported = reported_timer_ms(p);
  return reported && *reported != asked_timer_ms(p) ? reported : std::nullopt;
}

// result.json's per-peer timer block: what it was asked, what it said, and
// the contract violation when the two differ (peers/CONTRACT.md `ready`).
void add_timer_fields(json& peer, const PeerRecord& p) {
  const int asked = asked_timer_ms(p);
  const auto reported = reported_timer_ms(p);
  const auto differing = report_differing_from_asked(p);
  peer["timer_initial_ms_effective"] = asked;
  peer["timer_initial_ms_reported"] = reported ? json(*reported) : json(nullptr);
  peer["timer_contract_violation"] =
      differing ? json("asked for " + std::to_string(asked) + " ms, reported timer_initial_ms_effective " +
                       std::to_string(*differing) + " ms")
                : json(nullptr);
}

json peer_json(const PeerRecord& p) {
  json j = {{"name", p.command->name},
          {"implementation", p.command->implementation},
          {"version", p.command->version},
          {"argv", p.argv},
          {"exit_code", p.end.exit_code ? json(*p.end.exit_code) : json(nullptr)},
          {"exit_reason", p.end.exit_reason},
          {"stopped_by_harness", p.end.stopped_by_harness.empty() ? json(nullptr) : json(p.end.stopped_by_harness)}};
  add_timer_fields(j, p);
  return j;
}

// --- wire.rules: did every rule and timeline entry take effect? ---
// A rule or entry that must fire (the default) and never did means the run
// did not test what the scenario says, so a pass would be a false pass.

json rules_json(const std::vector<wire::RuleHits>& hits) {
  json out = json::array();
  for (const auto& h : hits) {
    json j{{"kind", h.kind}, {"name", h.name}, {"hits", h.hits}, {"must_fire", h.must_fire}};
    if (h.kind == "rule") j["matched"] = h.matched;
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<std::string> no_effect_reason(const std::vector<wire::RuleHits>& hits) {
  std::vector<std::string> idle;
  for (const auto& h : hits) {
    if (!h.must_fire || h.hits > 0) continue;
    if (h.kind == "timeline") idle.push_back(fmt::format("timeline entry '{}' never fired", h.name));
    else if (h.matched == 0) idle.push_back(fmt::format("rule {} never matched", h.name));
    else idle.push_back(fmt::format("rule {} matched {} datagram{} but never acted (skip/every/count/probability)",
                                    h.name, h.matched, h.matched == 1 ? "" : "s"));
  }
  if (idle.empty()) return std::nullopt;
  return fmt::format("scenario had no effect: {}", fmt::join(idle, "; "));
}

// A pass (or an expected failure) that the scenario's impairments never
// shaped is an error. A real failure stays a failure: the stack failed
// whatever the scenario did, and the reason says what did not fire.
void apply_no_effect(Verdict& v, const std::vector<wire::RuleHits>& hits) {
  const auto why = no_effect_reason(hits);
  if (!why) return;
  if (v.verdict == "pass" || v.verdict == "xfail") v = {"error", *why};
  else if (v.verdict == "fail") v.reason += "; " + *why;
}

}  // namespace

void write_run_files(const std::filesystem::path& out_dir, json& result,
                     const std::function<void(std::ostream&)>& write_capture) {
  if (write_capture) {
    try {
      // The shims' key logs ride in the capture (a Decryption Secrets Block), so
      // Wireshark and tshark decrypt it with no setup. One that cannot be read
      // is left out; the checks' TLS view names it.
      std::vector<std::string> secrets;
      for (auto& f : dissect::read_run_key_logs(out_dir)) secrets.push_back(std::move(f.text));
      std::ostringstream packets;
      write_capture(packets);
      std::ofstream cap(out_dir / "capture.pcapng", std::ios::binary);
      if (!cap) throw std::runtime_error((out_dir / "capture.pcapng").string() + ": cannot write");
      cap << capture::with_tls_secrets(packets.str(), secrets);
      if (!cap.flush()) throw std::runtime_error((out_dir / "capture.pcapng").string() + ": write failed");
    } catch (const std::exception& e) {
      result["capture_error"] = e.what();
    }
  }
  std::ofstream out(out_dir / "result.json");
  if (!out) throw std::runtime_error((out_dir / "result.json").string() + ": cannot write");
  out << result.dump(2) << '\n';
}

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
    in.client_timer_initial_ms = asked_timer_ms(run.client);
    in.server_timer_initial_ms = asked_timer_ms(run.server);
    in.client_timer_reported_ms = report_differing_from_asked(run.client);
    in.server_timer_reported_ms = report_differing_from_asked(run.server);
    in.topology = run.topology;
    in.key_logs = dissect::read_run_key_logs(cfg.out_dir);  // the shims wrote them there (--key-log)
    in.line_framing = needs_lines(cfg.client, cfg.server);
    results = checks::run_checks(in);
  }

  json checks_json = json::array();
  std::vector<CheckOutcome> outcomes;
  for (const auto& r : results) {
    json j = checks::to_json(r);
    if (r.verdict == checks::Verdict::fail)
      if (const auto* known = cfg.expectations.known_failure(
              {sc.name, cfg.client.name, cfg.server.name, cfg.client.version, cfg.server.version},
              {r.name, r.detail, checks::support::failed_dirs(r, *run.log)})) {
        j["verdict"] = "xfail";
        j["expected_failure"] = known->reason;
        j["expected_failure_entry"] = known->where;  // XPASS bookkeeping: which entries matched
      }
    outcomes.push_back({r.name, j["verdict"].get<std::string>()});
    checks_json.push_back(std::move(j));
  }
  Verdict v = decide_verdict(run.harness_error, run.client.end, run.server.end, outcomes);
  v = judge_unfinished_workload(v, run.client.end, run.client.events, outcomes);
  apply_no_effect(v, run.totals.rules);

  json handshake{{"completed", false}};
  if (auto hs = last_event(run.client.events, "handshake_done")) {
    handshake = {{"completed", last_event(run.server.events, "handshake_done").has_value()},
                 {"version", hs->value("version", "")},
                 {"cipher", hs->value("cipher", "")},
                 {"time_ms", hs->value("time_ms", 0.0)}};
  }
  const auto& t = run.totals;
  json result = {
      {"schema_version", kResultSchemaVersion},
      {"tool", {{"name", "wireproof"}, {"version", kToolVersion}}},
      {"scenario",
       {{"name", sc.name}, {"file", sc.file}, {"description", sc.description}, {"refs", sc.refs},
        {"protocol", sc.protocol}}},
      {"client", peer_json(run.client)},
      {"server", peer_json(run.server)},
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
        {"malformed", t.malformed}, {"send_failed", t.send_failed}, {"never_sent", t.never_sent},
        {"rules", rules_json(t.rules)}}},
      {"artifacts", run.artifacts},
  };
  // How loaded the host was while the peers ran (timing verdicts depend on it).
  if (run.host_at_start) result["host"] = host_json(*run.host_at_start, sample_host());
  return result;
}

}  // namespace wireproof::runner
