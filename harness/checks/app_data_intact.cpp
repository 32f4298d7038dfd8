// app_data_intact: the echo workload (peers/CONTRACT.md "Workload") arrived
// whole and exactly once:
//   client sent_sha256 == server received_sha256 == client echoed_sha256,
//   client bytes == server bytes == workload.echo_bytes;
// and the peers' duplicate counts agree with the wire, which counts the
// application-data records each way (records are told apart by their bytes:
// a copy the wire duplicated is the same record, a chunk the client resent
// is a new record with its own sequence number):
//   replay: a receiver accepts each distinct record at most once, so the
//     records its application saw (unique + duplicates + malformed) must not
//     exceed the distinct records the wire delivered to it; more means it
//     accepted a duplicated copy (RFC 6347 4.1.2.6 replay detection);
//   resends: a chunk reaches the application twice only if the client sent
//     it twice, so each side's `duplicates` must not exceed the client's
//     resends -- counted on the wire (distinct c2s records beyond the chunks
//     the workload has) and never more than the client's `resent` claims. A
//     claim alone is not taken: under loss a replay bug would hide behind it.
// not_applicable when the handshake did not complete and was expected not to.
// Parameters: none.
#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/peer_reports.hpp"
#include "harness/checks/support/wire_records.hpp"
#include "harness/events/dtls_constants.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

std::string str(const json& e, const char* key) {
  return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string{};
}
std::optional<std::uint64_t> num(const json& e, const char* key) {
  if (!e.contains(key) || !e[key].is_number_integer() || e[key].get<std::int64_t>() < 0) return std::nullopt;
  return e[key].get<std::uint64_t>();
}
json num_json(const json& e, const char* key) {
  auto v = num(e, key);
  return v ? json(*v) : json(nullptr);
}

// Records a side's application saw: unique chunks + duplicates + malformed; nullopt if the report lacks a count.
std::optional<std::uint64_t> accepted_records(const json& e, const char* unique_key) {
  const auto unique = num(e, unique_key), dups = num(e, "duplicates");
  if (!unique || !dups) return std::nullopt;
  return *unique + *dups + num(e, "malformed").value_or(0);
}

// Chunks the workload has: ceil(echo_bytes / chunk), with the chunk the
// client used (line framing shrinks it and says so in its report).
std::uint64_t planned_chunks(const Inputs& in, const json& client_report) {
  const std::uint64_t bytes = in.scenario.workload.echo_bytes;
  std::uint64_t chunk = in.scenario.workload.chunk;
  if (client_report.value("framing", "") == "lines")
    if (auto c = num(client_report, "chunk"); c && *c > 0) chunk = *c;
  return chunk == 0 ? 0 : (bytes + chunk - 1) / chunk;
}

class AppDataIntact final : public Check {
 public:
  std::string name() const override { return "app_data_intact"; }
  bool judges_per_direction() const override { return false; }  // one outcome per run
  std::string rfc() const override { return "RFC 6347 4.1.2.6 / RFC 5246 6"; }
  std::string sentence() const override {
    return "For each received record, the receiver MUST verify that the record contains a sequence number "
           "that does not duplicate the sequence number of any other record received during the life of "
           "this session.";
  }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    const std::uint64_t echo_bytes = in.scenario.workload.echo_bytes;
    r.expected = {{"echo_bytes", echo_bytes},
                  {"digests", "client sent_sha256 == server received_sha256 == client echoed_sha256"},
                  {"replay", "records each application saw <= distinct application-data records the wire delivered to it"},
                  {"duplicates", "each side's duplicates <= min(client resends on the wire, client resent)"}};

    const bool done = support::find_peer_event(in, "client", "handshake_done") &&
                      support::find_peer_event(in, "server", "handshake_done");
    if (!done && !in.scenario.expect.handshake_completes) {
      r.verdict = Verdict::not_applicable;
      r.detail = "handshake did not complete, as the scenario expects: no application data to judge";
      return r;
    }

    const auto client = support::find_peer_event(in, "client", "app_data");
    const auto server = support::find_peer_event(in, "server", "app_data");
    for (const auto& rep : {client, server})
      if (rep && rep->log_i) r.evidence.push_back(*rep->log_i);
    if (!client || !server) {
      r.verdict = Verdict::fail;
      r.measured = {{"client_reported", client.has_value()}, {"server_reported", server.has_value()}};
      r.detail = fmt::format("missing app_data report from {}",
                             !client && !server ? "both peers" : (!client ? "the client" : "the server"));
      return r;
    }

    const json& c = client->event;
    const json& s = server->event;
    r.measured = {{"client", {{"bytes", num_json(c, "bytes")}, {"chunks", num_json(c, "chunks")},
                              {"resent", num_json(c, "resent")}, {"duplicates", num_json(c, "duplicates")},
                              {"sent_sha256", str(c, "sent_sha256")}, {"echoed_sha256", str(c, "echoed_sha256")}}},
                  {"server", {{"bytes", num_json(s, "bytes")}, {"records", num_json(s, "records")},
                              {"unique_chunks", num_json(s, "unique_chunks")},
                              {"duplicates", num_json(s, "duplicates")},
                              {"received_sha256", str(s, "received_sha256")}}}};

    std::vector<std::string> problems;
    const auto sent = str(c, "sent_sha256"), echoed = str(c, "echoed_sha256"), received = str(s, "received_sha256");
    if (sent.empty() || echoed.empty() || received.empty()) problems.push_back("a digest is missing");
    else {
      if (received != sent) problems.push_back("server received_sha256 differs from client sent_sha256");
      if (echoed != sent) problems.push_back("client echoed_sha256 differs from sent_sha256");
    }
    const auto cb = num(c, "bytes"), sb = num(s, "bytes");
    if (cb != echo_bytes)
      problems.push_back(fmt::format("client bytes {} != echo_bytes {}", cb ? std::to_string(*cb) : "missing", echo_bytes));
    if (sb != echo_bytes)
      problems.push_back(fmt::format("server bytes {} != echo_bytes {}", sb ? std::to_string(*sb) : "missing", echo_bytes));
    // The wire's count of application-data records each way.
    const support::RecordFilter app{events::kApplicationData, 1};
    const auto c2s = support::tally_records(in.log, "c2s", app);
    const auto s2c = support::tally_records(in.log, "s2c", app);
    const std::uint64_t chunks = planned_chunks(in, c);
    const std::uint64_t wire_resends = c2s.distinct_arrived > chunks ? c2s.distinct_arrived - chunks : 0;
    const auto resent = num(c, "resent");
    const std::uint64_t allowed = std::min(wire_resends, resent.value_or(0));
    r.measured["wire"] = {{"c2s", support::to_json(c2s)}, {"s2c", support::to_json(s2c)},
                          {"chunks", chunks}, {"client_resends_on_wire", wire_resends},
                          {"duplicates_allowed", allowed}};
    if (!resent) problems.push_back("client resent is missing");

    for (const auto& [side, e, unique_key, tally] :
         {std::tuple{"client", &c, "echoed_chunks", &s2c}, std::tuple{"server", &s, "unique_chunks", &c2s}}) {
      const auto dup = num(*e, "duplicates");
      if (!dup) {
        problems.push_back(fmt::format("{} duplicates is missing", side));
        continue;
      }
      if (*dup > allowed)
        problems.push_back(fmt::format(
            "{} saw {} duplicate record{} but the wire shows the client resent {} chunk{} (it claims {}): a record "
            "reached the application twice that the client sent once",
            side, *dup, *dup == 1 ? "" : "s", wire_resends, wire_resends == 1 ? "" : "s",
            resent ? std::to_string(*resent) : "nothing"));
      if (const auto seen = accepted_records(*e, unique_key); seen && *seen > tally->distinct_delivered)
        problems.push_back(fmt::format(
            "{}'s application saw {} records but the wire delivered only {} distinct application-data records to "
            "it: it accepted a duplicated copy",
            side, *seen, tally->distinct_delivered));
    }

    if (problems.empty()) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} bytes echoed intact; duplicates within the {} resend{} the wire shows", echo_bytes,
                             allowed, allowed == 1 ? "" : "s");
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_app_data_intact() { return std::make_unique<AppDataIntact>(); }

}  // namespace wireproof::checks
