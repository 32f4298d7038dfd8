// middlebox_compat: TLS 1.3's middlebox compatibility mode (RFC 8446 D.4),
// on only when the client asked for it by a non-empty legacy_session_id in
// its (first) ClientHello; a client not in compatibility mode is not judged
// and the check says so. Per side:
//  - the server (s2c): echoes the client's legacy_session_id (4.1.3) in
//    every ServerHello / HelloRetryRequest, and sends one change_cipher_spec
//    record immediately after the record ending its first handshake message
//    (the ServerHello or the HelloRetryRequest);
//  - the client (c2s): sends exactly one change_cipher_spec record, and it
//    comes immediately before its second flight: after a HelloRetryRequest
//    either before its second ClientHello or before its first protected
//    record ("This might either be before its second ClientHello or before
//    its encrypted handshake flight": a GnuTLS client does the latter),
//    otherwise before its first protected record.
// All of it is in clear: the key log is not needed.
// Parameters: none.
#include <algorithm>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_support.hpp"
#include "harness/dissect/names.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

class MiddleboxCompat final : public Check {
 public:
  std::string name() const override { return "middlebox_compat"; }
  std::string rfc() const override { return "RFC 8446 D.4"; }
  std::string sentence() const override {
    return "The server sends a dummy change_cipher_spec record immediately after its first handshake message. [...] "
           "If not offering early data, the client sends a dummy change_cipher_spec record [...] immediately before "
           "its second flight.";
  }
  std::vector<std::string> protocols() const override { return tls::tls13_only(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"server", "legacy_session_id echoed; one CCS right after its first handshake message"},
                  {"client", "one CCS, right before its second flight"}};
    r.measured = json::object();
    std::vector<std::string> problems, not_judged;
    std::size_t judged = 0;
    for (const auto& cv : support::tls_view(in).connections) {
      const auto& t = cv.tls;
      if (t.client_hellos.empty() || t.version != dissect::kTls13) continue;
      const auto& sid = t.client_hellos.front().hello.session_id;
      if (sid.empty()) {
        not_judged.push_back("the client sent an empty legacy_session_id: not in compatibility mode");
        continue;
      }
      const auto fail = [&](const char* dir, const dissect::TranscriptRecord* rec, const std::string& what) {
        support::add_failed_dir(r, dir);
        if (rec)
          for (auto i : support::record_packets(*rec)) r.evidence.push_back(i);
        problems.push_back(fmt::format("{}: {}", dir, what));
      };
      // The server.
      ++judged;
      for (const auto* sh : {t.hello_retry_request ? &*t.hello_retry_request : nullptr, &*t.server_hello})
        if (sh && sh->session_id != sid)
          fail("s2c", nullptr, fmt::format("the server's {} does not echo the client's {}-byte legacy_session_id",
                                           sh == &*t.server_hello ? "ServerHello" : "HelloRetryRequest", sid.size()));
      const auto& s = t.s2c;
      if (!s.handshake.empty()) {
        const std::size_t want = s.handshake.front().last_record + 1;
        if (s.change_cipher_specs.empty())
          fail("s2c", &s.records[s.handshake.front().last_record], "the server sent no change_cipher_spec record");
        else if (s.change_cipher_specs.front() != want)
          fail("s2c", &s.records[s.change_cipher_specs.front()],
               fmt::format("the server's change_cipher_spec is record {}, not record {} right after its {}",
                           s.change_cipher_specs.front(), want, dissect::handshake_type_name(s.handshake.front().type)));
      }
      // The client: where its second flight may start (RFC 8446 D.4).
      const auto& c = t.c2s;
      std::vector<std::size_t> allowed;  // record indexes the CCS may immediately precede
      if (t.client_hellos.size() > 1) allowed.push_back(c.handshake[t.client_hellos[1].message].first_record);
      for (const auto& rec : c.records)
        if (rec.is_protected) {
          allowed.push_back(rec.index);
          break;
        }
      if (allowed.empty()) {
        not_judged.push_back("c2s: the client sent no second flight: its change_cipher_spec is not judged");
        continue;
      }
      ++judged;
      const std::size_t second_flight = allowed.front();
      const auto at_allowed = [&](std::size_t ccs) {
        return std::find(allowed.begin(), allowed.end(), ccs + 1) != allowed.end();
      };
      if (c.change_cipher_specs.empty())
        fail("c2s", &c.records[second_flight], "the client sent no change_cipher_spec record before its second flight");
      else if (c.change_cipher_specs.size() > 1)
        fail("c2s", &c.records[c.change_cipher_specs[1]],
             fmt::format("the client sent {} change_cipher_spec records (one dummy)", c.change_cipher_specs.size()));
      else if (!at_allowed(c.change_cipher_specs.front()))
        fail("c2s", &c.records[c.change_cipher_specs.front()],
             fmt::format("the client's change_cipher_spec is record {}, not immediately before its second flight "
                         "(record {}{})",
                         c.change_cipher_specs.front(), second_flight,
                         allowed.size() > 1 ? fmt::format(" or {}", allowed[1]) : ""));
    }
    tls::conclude(r, problems, judged, "sides", not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_middlebox_compat() { return std::make_unique<MiddleboxCompat>(); }

}  // namespace wireproof::checks
