// The check list, run_checks() and the result JSON (docs/RESULT.md "checks").
#include "harness/checks/check.hpp"

#include <algorithm>
#include <exception>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/params.hpp"

namespace wireproof::checks {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::not_applicable: return "not_applicable";
    case Verdict::inconclusive: return "inconclusive";
  }
  return "not_applicable";
}

std::vector<std::unique_ptr<Check>> all_checks() {
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(make_handshake_completes());
  out.push_back(make_app_data_intact());
  out.push_back(make_record_boundaries());
  out.push_back(make_mtu_fit());
  out.push_back(make_fragments_consistent());
  out.push_back(make_retransmission_schedule());
  out.push_back(make_record_sequence());
  out.push_back(make_cookie_exchange());
  out.push_back(make_last_flight_answered());
  out.push_back(make_tcp_handshake());
  out.push_back(make_tcp_data_intact());
  out.push_back(make_syn_retransmission_schedule());
  out.push_back(make_rto_backoff());
  out.push_back(make_rto_matches_stack());
  out.push_back(make_fast_retransmit());
  out.push_back(make_segments_fit_mss());
  out.push_back(make_zero_window_probe());
  out.push_back(make_graceful_close());
  out.push_back(make_delayed_ack());
  out.push_back(make_pmtud_response());
  out.push_back(make_blind_reset_defence());
  out.push_back(make_keepalive());
  out.push_back(make_urgent_data());
  // TLS over TCP
  out.push_back(make_tls_handshake_completes());
  out.push_back(make_record_size());
  out.push_back(make_record_framing());
  out.push_back(make_version_negotiation());
  out.push_back(make_middlebox_compat());
  out.push_back(make_hello_retry_request());
  out.push_back(make_close_notify());
  out.push_back(make_key_update());
  out.push_back(make_session_resumption());
  out.push_back(make_alerts());
  out.push_back(make_tls_data_intact());
  out.push_back(make_plaintext_fallback());
  return out;
}

static bool enabled(const scenario::Expectations& expect, const Check& check) {
  auto it = expect.checks_enabled.find(check.name());
  return it == expect.checks_enabled.end() ? check.on_by_default() : it->second;
}

bool judges_protocol(const Check& check, const std::string& protocol) {
  const auto ps = check.protocols();
  return std::find(ps.begin(), ps.end(), protocol) != ps.end();
}

std::vector<CheckResult> run_checks(const Inputs& in) {
  std::vector<CheckResult> results;
  for (const auto& check : all_checks()) {
    if (!judges_protocol(*check, in.scenario.protocol) || !enabled(in.scenario.expect, *check)) continue;
    CheckResult r;
    try {
      support::check_params(in, *check);  // unknown keys fail every check, not only those with parameters
      r = check->run(in);
    } catch (const std::exception& e) {
      // A check that cannot judge (bad parameters, an event it cannot read)
      // must not pass silently: it fails and says why.
      r.verdict = Verdict::fail;
      r.detail = "check could not run: " + std::string(e.what());
    }
    // The declaration is the single source of name, RFC and sentence.
    r.name = check->name();
    r.rfc = check->rfc();
    r.sentence = check->sentence();
    results.push_back(std::move(r));
  }
  return results;
}

nlohmann::json to_json(const CheckResult& r) {
  return {{"name", r.name},
          {"rfc", r.rfc},
          {"sentence", r.sentence},
          {"verdict", to_string(r.verdict)},
          {"expected", r.expected.is_null() ? nlohmann::json::object() : r.expected},
          {"measured", r.measured.is_null() ? nlohmann::json::object() : r.measured},
          {"detail", r.detail},
          {"evidence", r.evidence}};
}

}  // namespace wireproof::checks
