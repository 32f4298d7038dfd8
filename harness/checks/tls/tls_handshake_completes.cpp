// tls_handshake_completes: the TLS handshake of every connection completed
// on the wire, and each peer's handshake_done agrees with the wire. Distinct
// from the DTLS handshake_completes (which judges epoch-1 DTLS records): TLS
// has no epochs on the wire, so the Finished is found in the transcript.
//  - the wire: a ServerHello (the real one, after any HelloRetryRequest);
//    each side's Finished, decrypted with the key log; without it, what must
//    follow each Finished in clear terms: 1.3 a protected record from each
//    side (the client's first protected record is its Finished), 1.2 a
//    ChangeCipherSpec and a protected record after it -- said so;
//  - each side's handshake_done (connection n, the n-th TCP connection) names
//    the wire's version (TLSv1.2 / TLSv1.3) and the ServerHello's suite
//    (cipher_iana, else cipher, as the IANA or the OpenSSL name): a peer's
//    claim never overrides the wire, so a disagreement fails that side;
//  - a handshake_done the wire refutes (no Finished either way) fails that
//    side whatever the scenario expects; expect.handshake: fail passes only
//    when the handshake did not complete;
//  - TLS 1.3: a fatal alert from the server before any application data of
//    its own (decrypted) means it refused the client's last flight
//    (certificate_required): not complete, though both Finished crossed; the
//    client's handshake_done stands (it was done after its Finished), the
//    server's is refuted.
// Parameters: none.
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tcp/tcp_support.hpp"
#include "harness/checks/tls/tls_support.hpp"
#include "harness/dissect/names.hpp"
#include "harness/dissect/tls_decrypt.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

// The suite's IANA and OpenSSL names, through libssl's own table.
std::pair<std::string, std::string> suite_names(std::uint16_t suite) {
  static SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  static SSL* ssl = ctx ? SSL_new(ctx) : nullptr;
  const unsigned char id[2] = {static_cast<unsigned char>(suite >> 8), static_cast<unsigned char>(suite)};
  const SSL_CIPHER* c = ssl ? SSL_CIPHER_find(ssl, id) : nullptr;
  if (!c) return {fmt::format("0x{:04x}", suite), fmt::format("0x{:04x}", suite)};
  return {SSL_CIPHER_standard_name(c), SSL_CIPHER_get_name(c)};
}

std::string version_name(std::uint16_t v) {
  return v == dissect::kTls13 ? "TLSv1.3" : v == dissect::kTls12 ? "TLSv1.2" : fmt::format("0x{:04x}", v);
}

// Whether `d` shows its sender's Finished: decrypted, or (`inferred`) the
// protected record that must follow it.
struct FinishedSeen {
  bool seen = false, inferred = false;
  std::vector<std::uint64_t> packets;
};
FinishedSeen finished(const dissect::TlsTranscript& t, const dissect::TranscriptDirection& d) {
  FinishedSeen f;
  for (const auto& m : d.handshake)
    if (m.type == dissect::kHsFinished && m.complete) {
      f.seen = true;
      f.packets = support::record_packets(d.records[m.first_record]);
      return f;
    }
  // Not decrypted: the sender's first protected record after its (1.2) CCS.
  std::size_t from = 0;
  if (t.version == dissect::kTls12) {
    if (d.change_cipher_specs.empty()) return f;
    from = d.change_cipher_specs.front() + 1;
  }
  for (std::size_t k = from; k < d.records.size(); ++k)
    if (d.records[k].is_protected && !d.records[k].decrypted) {
      f.seen = f.inferred = true;
      f.packets = support::record_packets(d.records[k]);
      return f;
    }
  return f;
}

// TLS 1.3: the server refused the client's last flight (its Certificate,
// CertificateVerify, Finished; e.g. certificate_required, RFC 8446 4.4.2.4:
// "abort the handshake"): a fatal alert from the server, decrypted, before
// any application data of its own. Both Finished are then on the wire, yet
// the handshake failed. Not seen without the key log (the alert is protected).
std::optional<dissect::TranscriptAlert> server_abort(const dissect::TlsTranscript& t) {
  if (t.version != dissect::kTls13) return std::nullopt;
  for (const auto& a : t.s2c.alerts) {
    if (a.level != 2) continue;
    for (std::size_t k = 0; k < a.record; ++k)
      if (t.s2c.records[k].decrypted && t.s2c.records[k].content_type == dissect::kApplicationData) return std::nullopt;
    return a;
  }
  return std::nullopt;
}

class TlsHandshakeCompletes final : public Check {
 public:
  std::string name() const override { return "tls_handshake_completes"; }
  std::string rfc() const override { return "RFC 8446 4.4.4 / RFC 5246 7.4.9"; }
  std::string sentence() const override {
    return "Recipients of Finished messages MUST verify that the contents are correct and if incorrect MUST terminate "
           "the connection with a \"decrypt_error\" alert.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    const bool expect_complete = in.scenario.expect.handshake_completes;
    r.expected = {{"handshake", expect_complete ? "complete" : "fail"},
                  {"peers", "each handshake_done names the wire's version and suite, backed by both Finished"}};
    r.measured = json::object();
    r.measured["connections"] = json::array();
    std::vector<std::string> problems, not_judged;
    const auto& view = support::tls_view(in);
    const auto dones_client = tcp::peer_events(in, "client", "handshake_done");
    const auto dones_server = tcp::peer_events(in, "server", "handshake_done");
    std::size_t completed = 0, judged = 0;
    for (std::size_t n = 0; n < view.connections.size(); ++n) {
      const auto& t = view.connections[n].tls;
      const FinishedSeen fc = finished(t, t.c2s), fs = finished(t, t.s2c);
      const auto aborted = server_abort(t);
      const bool finished_both = t.server_hello && fc.seen && fs.seen;
      const bool on_wire = finished_both && !aborted;
      if (on_wire) ++completed;
      json cj{{"connection", n + 1}, {"server_hello", t.server_hello.has_value()},
              {"client_finished", fc.seen ? (fc.inferred ? "inferred" : "decrypted") : "absent"},
              {"server_finished", fs.seen ? (fs.inferred ? "inferred" : "decrypted") : "absent"}};
      for (const auto* f : {&fc, &fs}) r.evidence.insert(r.evidence.end(), f->packets.begin(), f->packets.end());
      if (aborted) {
        cj["server_aborted"] = aborted->description;
        const auto packets = support::record_packets(t.s2c.records[aborted->record]);
        r.evidence.insert(r.evidence.end(), packets.begin(), packets.end());
      }
      if (fc.inferred || fs.inferred)
        not_judged.push_back(fmt::format("connection {}: Finished not decrypted ({}): the protected records that "
                                         "must follow it were counted instead", n + 1,
                                         t.unseen.empty() ? "no key log" : t.unseen.front()));
      std::string version, iana, openssl_name;
      if (t.server_hello) {
        version = version_name(t.version);
        std::tie(iana, openssl_name) = suite_names(t.cipher_suite);
        cj["version"] = version;
        cj["cipher"] = iana;
      }
      // Each side's handshake_done for this connection ("connection" n, or the n-th).
      for (const auto& [role, dones] : {std::pair{"client", &dones_client}, std::pair{"server", &dones_server}}) {
        const tcp::TimedReport* done = nullptr;
        for (std::size_t k = 0; k < dones->size(); ++k) {
          const auto& e = (*dones)[k].event;
          if (e.contains("connection") ? e["connection"] == n + 1 : k == n) done = &(*dones)[k];
        }
        const std::string dir = std::string(role) == "client" ? "c2s" : "s2c";
        if (!done) continue;
        ++judged;
        if (done->i) r.evidence.push_back(*done->i);
        // TLS 1.3: the client's handshake is done once it sent its Finished
        // (RFC 8446 4.4.4); the server may still refuse that flight. Its
        // handshake_done is then true, the server's is not.
        const bool refuted = !finished_both || (aborted && std::string(role) == "server");
        if (refuted) {
          support::add_failed_dir(r, dir);
          problems.push_back(fmt::format("connection {}: the {} reported handshake_done but the wire shows {}", n + 1,
                                         role, !t.server_hello ? "no ServerHello"
                                               : !fc.seen      ? "no Finished from the client"
                                               : !fs.seen      ? "no Finished from the server"
                                                               : fmt::format("its fatal alert {} refusing the client's "
                                                                             "last flight", aborted->description)));
          continue;
        }
        const auto& e = done->event;
        const std::string said_v = e.value("version", ""), said_c = e.contains("cipher_iana") && e["cipher_iana"].is_string()
                                                                         ? e["cipher_iana"].get<std::string>()
                                                                         : e.value("cipher", "");
        if (said_v != version) {
          support::add_failed_dir(r, dir);
          problems.push_back(fmt::format("connection {}: the {} says version \"{}\", the wire's ServerHello selected {}",
                                         n + 1, role, said_v, version));
        }
        if (said_c != iana && said_c != openssl_name) {
          support::add_failed_dir(r, dir);
          problems.push_back(fmt::format("connection {}: the {} says cipher \"{}\", the wire's ServerHello chose {} ({})",
                                         n + 1, role, said_c, iana, openssl_name));
        }
      }
      r.measured["connections"].push_back(cj);
    }
    r.measured["completed_on_wire"] = completed;
    if (!problems.empty()) {
      tls::conclude(r, problems, judged, "handshake_done reports", not_judged);
      return r;
    }
    if (!expect_complete) {
      r.verdict = completed ? Verdict::fail : Verdict::pass;
      r.detail = completed ? "the handshake completed on the wire although the scenario expects it to fail"
                           : "the handshake did not complete on the wire, as expected";
      return r;
    }
    if (view.connections.empty() || completed < view.connections.size() || dones_client.empty() || dones_server.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("the handshake did not complete: {} of {} connection(s) on the wire; handshake_done from "
                             "client {}, server {}", completed, view.connections.size(), dones_client.size(),
                             dones_server.size());
      return r;
    }
    tls::conclude(r, problems, judged, "handshake_done reports (version and suite agree with the wire)", not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_tls_handshake_completes() { return std::make_unique<TlsHandshakeCompletes>(); }

}  // namespace wireproof::checks
