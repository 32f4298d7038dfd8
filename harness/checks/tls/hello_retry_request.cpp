// hello_retry_request (RFC 8446 4.1.2, 4.1.4), judged per side, in clear:
//  - the client (c2s): after a HelloRetryRequest its second ClientHello is
//    the first one but for what 4.1.2 allows to change: key_share (51),
//    early_data (42) removed, cookie (44) added, pre_shared_key (41)
//    updated, padding (21); everything else (version, random, session id,
//    suites, compression, the other extensions in order) is byte-equal. A
//    client that sends a third ClientHello (answering a second HRR) fails:
//    it MUST abort;
//  - the server (s2c): at most one HelloRetryRequest per connection.
// not_applicable: no HelloRetryRequest on the wire.
// Parameters: none.
#include <fmt/format.h>

#include <set>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
const std::set<std::uint16_t> kMayChange = {51, 42, 44, 41, 21};

dissect::HelloExtensions fixed_part(const dissect::HelloExtensions& exts) {
  dissect::HelloExtensions out;
  for (const auto& e : exts)
    if (!kMayChange.count(e.first)) out.push_back(e);
  return out;
}

class HelloRetryRequest final : public Check {
 public:
  std::string name() const override { return "hello_retry_request"; }
  std::string rfc() const override { return "RFC 8446 4.1.2 / 4.1.4"; }
  std::string sentence() const override {
    return "If a HelloRetryRequest message is received, the client MUST send the same ClientHello without "
           "modification, except as follows: [...]";
  }
  std::vector<std::string> protocols() const override { return tls::tls13_only(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"client", "the second ClientHello changes only key_share, early_data, cookie, pre_shared_key, padding"},
                  {"server", "at most one HelloRetryRequest"}};
    r.measured = json::object();
    std::vector<std::string> problems, not_judged;
    std::size_t judged = 0;
    for (const auto& cv : support::tls_view(in).connections) {
      const auto& t = cv.tls;
      if (!t.hello_retry_request) continue;
      const auto cite = [&](const dissect::TranscriptDirection& d, std::size_t message) {
        for (auto i : support::record_packets(d.records[d.handshake[message].first_record])) r.evidence.push_back(i);
      };
      ++judged;  // the server
      if (t.server_hello && dissect::is_hello_retry_request(*t.server_hello)) {
        support::add_failed_dir(r, "s2c");
        cite(t.s2c, *t.server_hello_message);
        problems.push_back("s2c: the server sent a second HelloRetryRequest in the connection");
      }
      if (t.client_hellos.size() < 2) {
        not_judged.push_back("c2s: no second ClientHello after the HelloRetryRequest");
        continue;
      }
      ++judged;  // the client
      const auto& a = t.client_hellos[0].hello;
      const auto& b = t.client_hellos[1].hello;
      std::vector<std::string> changed;
      if (a.client_version != b.client_version) changed.push_back("legacy_version");
      if (a.random != b.random) changed.push_back("random");
      if (a.session_id != b.session_id) changed.push_back("legacy_session_id");
      if (a.cipher_suites != b.cipher_suites) changed.push_back("cipher_suites");
      if (a.compression_methods != b.compression_methods) changed.push_back("legacy_compression_methods");
      if (fixed_part(a.extensions) != fixed_part(b.extensions)) changed.push_back("extensions other than those allowed");
      if (!changed.empty()) {
        support::add_failed_dir(r, "c2s");
        cite(t.c2s, t.client_hellos[1].message);
        problems.push_back(fmt::format("c2s: the client's second ClientHello changed {}", fmt::join(changed, ", ")));
      }
      if (t.client_hellos.size() > 2) {
        support::add_failed_dir(r, "c2s");
        cite(t.c2s, t.client_hellos[2].message);
        problems.push_back(fmt::format("c2s: the client sent {} ClientHellos (after a second HelloRetryRequest it MUST abort)",
                                       t.client_hellos.size()));
      }
    }
    tls::conclude(r, problems, judged, "sides after a HelloRetryRequest", not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_hello_retry_request() { return std::make_unique<HelloRetryRequest>(); }

}  // namespace wireproof::checks
