// app_data_intact: the echo workload (peers/CONTRACT.md "Workload") arrived
// whole and exactly once:
//   client sent_sha256 == server received_sha256 == client echoed_sha256,
//   client bytes == server bytes == workload.echo_bytes,
//   each side's `duplicates` <= the client's `resent`: a datagram the wire
//   duplicated must not deliver a record twice (DTLS replay detection).
// not_applicable when the handshake did not complete and was expected not to.
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/peer_reports.hpp"

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
                  {"duplicates", "each side's duplicates <= client resent"}};

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
    const auto resent = num(c, "resent");
    if (!resent) problems.push_back("client resent is missing");
    for (const auto& [side, e] : {std::pair<const char*, const json*>{"client", &c}, {"server", &s}}) {
      const auto dup = num(*e, "duplicates");
      if (!dup) problems.push_back(fmt::format("{} duplicates is missing", side));
      else if (resent && *dup > *resent)
        problems.push_back(fmt::format("{} saw {} duplicate records but the client resent only {}: a duplicated "
                                       "datagram delivered a record twice",
                                       side, *dup, *resent));
    }

    if (problems.empty()) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} bytes echoed intact; duplicates within the {} resent chunks", echo_bytes, *resent);
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
