// version_negotiation: the TLS 1.3 downgrade protection (RFC 8446 4.1.3),
// judged per side on the connection's hellos:
//  - the server (s2c): when the client offered TLS 1.3 (supported_versions)
//    and the ServerHello negotiated 1.2, a server that can speak 1.3 ends
//    ServerHello.random with 44 4F 57 4E 47 52 44 01 ("DOWNGRD" 01). Whether
//    the server can speak 1.3 is the scenario's to say (parameter
//    server_tls13_capable): a server restricted to 1.2 is not a 1.3 server
//    for this rule, and without the parameter it is not judged (said so);
//  - the client (c2s): a client that offered 1.3 and got a 1.2 ServerHello
//    carrying the sentinel (01 or 00) aborts: an illegal_parameter alert and
//    nothing else of the handshake after it (no ClientKeyExchange,
//    ChangeCipherSpec or protected record).
// Parameters: server_tls13_capable (bool; unset: the server side is not judged).
#include <fmt/format.h>

#include <algorithm>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_support.hpp"
#include "harness/dissect/names.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
constexpr std::uint8_t kDowngrade[7] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44};
constexpr std::uint8_t kIllegalParameter = 47;

// Whether the ClientHello's supported_versions lists TLS 1.3 (RFC 8446 4.2.1).
bool offers_tls13(const dissect::ClientHello& ch) {
  const auto* sv = dissect::find_extension(ch.extensions, dissect::kExtSupportedVersions);
  if (!sv) return false;
  bytes::Reader r(*sv), list;
  if (!r.get_u8_prefixed(list)) return false;
  for (std::uint16_t v = 0; list.get_u16(v);)
    if (v == dissect::kTls13) return true;
  return false;
}

// The sentinel's last byte (01: TLS 1.2, 00: 1.1 or below), when the random ends with one.
std::optional<std::uint8_t> sentinel(const std::vector<std::uint8_t>& random) {
  if (random.size() != 32 || !std::equal(std::begin(kDowngrade), std::end(kDowngrade), random.begin() + 24)) return std::nullopt;
  return random[31];
}

class VersionNegotiation final : public Check {
 public:
  std::string name() const override { return "version_negotiation"; }
  std::string rfc() const override { return "RFC 8446 4.1.3"; }
  std::string sentence() const override {
    return "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below MUST check that the last 8 bytes are "
           "not equal to either of these values. [...] If a match is found, the client MUST abort the handshake with an "
           "\"illegal_parameter\" alert.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }
  std::vector<std::string> parameters() const override { return {"server_tls13_capable"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    // Two bools, not an optional (GCC 12 misjudges one here as uninitialised).
    const bool capable_known = params.contains("server_tls13_capable");
    const bool capable = capable_known && params["server_tls13_capable"].get<bool>();
    CheckResult r;
    r.expected = {{"server", "a 1.3-capable server negotiating 1.2 with a 1.3 client sets DOWNGRD 01"},
                  {"client", "a 1.3 client aborts on a 1.2 ServerHello with DOWNGRD, with illegal_parameter"}};
    r.measured = json::object();
    std::vector<std::string> problems, not_judged;
    std::size_t judged = 0;
    for (const auto& cv : support::tls_view(in).connections) {
      const auto& t = cv.tls;
      if (!t.server_hello || t.client_hellos.empty() || !t.server_hello_message) continue;
      const bool client13 = offers_tls13(t.client_hellos.back().hello);
      const auto sent = sentinel(t.server_hello->random);
      const auto& sh_rec = t.s2c.records[t.s2c.handshake[*t.server_hello_message].first_record];
      r.measured["client_offered_tls13"] = client13;
      r.measured["negotiated"] = fmt::format("0x{:04x}", t.version);
      r.measured["downgrade_sentinel"] = sent ? json(fmt::format("DOWNGRD {:02x}", *sent)) : json(nullptr);
      if (!client13 || t.version == dissect::kTls13) {
        not_judged.push_back(client13 ? "the server negotiated TLS 1.3: no downgrade to judge"
                                      : "the client did not offer TLS 1.3: the sentinel is not its concern");
        continue;
      }
      // The server's side.
      if (!capable_known) {
        not_judged.push_back("server: whether it can speak TLS 1.3 is not known (expect.checks.version_negotiation."
                             "server_tls13_capable unset)");
      } else {
        ++judged;
        if (capable && sent != std::uint8_t{1}) {
          support::add_failed_dir(r, "s2c");
          for (auto i : support::record_packets(sh_rec)) r.evidence.push_back(i);
          problems.push_back(fmt::format("s2c: the 1.3-capable server negotiated TLS 1.2 with a 1.3 client without "
                                         "DOWNGRD 01 at the end of ServerHello.random ({})",
                                         sent ? fmt::format("DOWNGRD {:02x}", *sent) : std::string("no sentinel")));
        }
      }
      // The client's side: it must abort on a sentinel.
      if (sent) {
        ++judged;
        bool alerted = false;
        std::vector<std::string> went_on;
        for (const auto& a : t.c2s.alerts)
          if (a.description == kIllegalParameter && a.level == 2) alerted = true;
        for (const auto& m : t.c2s.handshake)
          if (m.type != tls::kHsClientHello) went_on.push_back(dissect::handshake_type_name(m.type));
        if (!t.c2s.change_cipher_specs.empty()) went_on.push_back("change_cipher_spec");
        if (t.c2s.protected_records > 0) went_on.push_back(fmt::format("{} protected record(s)", t.c2s.protected_records));
        if (!alerted || !went_on.empty()) {
          support::add_failed_dir(r, "c2s");
          for (auto i : support::record_packets(sh_rec)) r.evidence.push_back(i);
          problems.push_back(fmt::format("c2s: the client offered TLS 1.3, got a TLS 1.2 ServerHello carrying DOWNGRD {:02x}, "
                                         "and {}{}", *sent,
                                         alerted ? "sent illegal_parameter" : "sent no fatal illegal_parameter alert",
                                         went_on.empty() ? "" : fmt::format(", but went on: {}", fmt::join(went_on, ", "))));
        }
      }
    }
    tls::conclude(r, problems, judged, "downgrade rules", not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_version_negotiation() { return std::make_unique<VersionNegotiation>(); }

}  // namespace wireproof::checks
