// tls_data_intact: each direction's application data, decrypted from the
// wire with the run's key logs (support::tls_view: the records the receiver's
// TCP got, opened in order), is what the sending application wrote and what
// the receiving one read (RFC 8446 5.2: AEAD protects it; a stack that
// delivered other bytes, or sent other bytes than its application wrote, broke it):
//   c2s: SHA-256(decrypted c2s) == client sent_sha256 == server received_sha256
//   s2c: SHA-256(decrypted s2c) == client echoed_sha256 (== server sent_sha256 if reported)
// The decrypted stream is the truth each side is judged against on its own
// (failed_dirs: the direction the judged side sends in): a receiver whose
// digest is not what the wire delivered to it, a sender whose digest is not
// what it put on the wire. Without the key log for a direction (or with
// records the view could not open) the peers' digests are compared with each
// other only (sent == received, echoed == sent), said so; a mismatch then
// belongs to no one side (both directions named). Several connections (a
// resumption): judged per connection when each side reported one app_data
// per connection, else concatenated in order. The peers' duplicates must be 0
// (TLS over TCP delivers each record once). A connection that was reset is
// not compared: the reset flushes what the receiver had queued and what the
// sender had not sent (RFC 9293 3.10.7.4), so no digest can match the wire's
// stream (abort-rst-truncation); said so. A sender report marked incomplete
// (a failed handshake before the data crossed) is not compared either.
// With line framing (a stock tool in the pair: Inputs::line_framing) the
// decrypted stream is text lines, each one chunk; the chunks the lines carry
// are what the digests are of (peers/common/line_frame.hpp), and a line that
// holds no intact frame is counted and its bytes left out (so the digest no
// longer matches).
// not_applicable: no application data on the wire and no app_data report, or
// no digest comparable.
// Parameters: none.
#include <algorithm>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tcp/tcp_support.hpp"
#include "harness/checks/tls/tls_support.hpp"
#include "peers/common/line_frame.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

std::string str(const json& e, const char* key) { return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : ""; }

// The chunks a line-framed stream carries, concatenated; `bad` counts the lines without an intact frame.
std::vector<std::uint8_t> unframe_lines(const std::vector<std::uint8_t>& stream, std::size_t& lines, std::size_t& bad) {
  peers::LineSplitter split;
  std::vector<std::uint8_t> out;
  auto all = split.feed(std::string_view(reinterpret_cast<const char*>(stream.data()), stream.size()));
  if (auto rest = split.take_rest(); !rest.empty()) all.push_back(rest);
  for (const auto& line : all) {
    ++lines;
    if (auto chunk = peers::decode_line(line)) out.insert(out.end(), chunk->begin(), chunk->end());
    else ++bad;
  }
  return out;
}

std::vector<json> app_data_reports(const PeerOutcome& peer) {
  std::vector<json> out;
  for (const auto& e : peer.events)
    if (e.value("event", "") == "app_data") out.push_back(e);
  return out;
}

class TlsDataIntact final : public Check {
 public:
  std::string name() const override { return "tls_data_intact"; }
  std::string rfc() const override { return "RFC 8446 5.2 / RFC 5246 6.2.3.3"; }
  std::string sentence() const override {
    return "The record protection functions translate a TLSPlaintext structure into a TLSCiphertext structure. The "
           "deprotection functions reverse the process.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"c2s", "sha256(decrypted c2s) == client sent_sha256 == server received_sha256"},
                  {"s2c", "sha256(decrypted s2c) == client echoed_sha256 == server sent_sha256 (those reported)"},
                  {"duplicates", 0}};
    r.measured = json::object();
    const auto& view = support::tls_view(in);
    const auto client_reports = app_data_reports(in.client), server_reports = app_data_reports(in.server);
    std::vector<std::size_t> with_data;
    for (std::size_t k = 0; k < view.connections.size(); ++k) {
      const auto& t = view.connections[k].tls;
      if (!t.client_hellos.empty() && (t.c2s.protected_records > 0 || t.s2c.protected_records > 0)) with_data.push_back(k);
    }
    const bool per_connection = with_data.size() > 1 && client_reports.size() == with_data.size() &&
                                server_reports.size() == with_data.size();
    const std::size_t units = per_connection ? with_data.size() : 1;
    const json none = json::object();
    std::vector<std::string> problems, blind, reset_lines, incomplete_lines;
    const char* bytes_word = in.line_framing ? "decrypted bytes (the chunks of its lines)" : "decrypted bytes";
    bool any_data = false;
    int compared_total = 0;
    for (std::size_t unit = 0; unit < units; ++unit) {
      const json& c = per_connection ? client_reports[unit] : (client_reports.empty() ? none : client_reports.front());
      const json& s = per_connection ? server_reports[unit] : (server_reports.empty() ? none : server_reports.front());
      const std::string label = per_connection ? fmt::format(" (connection {})", unit + 1) : "";
      std::optional<tcp::Reset> reset;
      for (std::size_t k : with_data)
        if (!per_connection || k == with_data[unit])
          if (const auto rs = tcp::reset_at(*view.connections[k].tcp); rs && !reset) reset = rs;
      if (reset) {
        any_data = true;
        reset_lines.push_back(fmt::format("connection{} reset (RST i={} delivered at {:.1f} ms): what the receiver had "
                                          "queued and the sender had not sent is discarded (RFC 9293 3.10.7.4), so "
                                          "the digests cannot match the wire's stream; not compared",
                                          label, reset->rst->i(), reset->at_us / 1000.0));
        continue;
      }
      for (const char* dir : tcp::kDirs) {
        std::vector<std::uint8_t> stream;
        std::vector<std::string> unseen;
        std::size_t records = 0;
        for (std::size_t k : with_data) {
          if (per_connection && k != with_data[unit]) continue;
          const auto& t = view.connections[k].tls;
          const auto& d = t.dir(dir);
          stream.insert(stream.end(), d.application_data.begin(), d.application_data.end());
          records += d.protected_records;
          if (!d.all_seen()) {
            const auto u = tls::unseen_of(t, dir);
            unseen.insert(unseen.end(), u.begin(), u.end());
          }
        }
        const bool c2s = std::string(dir) == "c2s";
        std::vector<std::pair<std::string, std::string>> reported =
            c2s ? std::vector<std::pair<std::string, std::string>>{{"client sent_sha256", str(c, "sent_sha256")},
                                                                   {"server received_sha256", str(s, "received_sha256")}}
                : std::vector<std::pair<std::string, std::string>>{{"client echoed_sha256", str(c, "echoed_sha256")},
                                                                   {"server sent_sha256", str(s, "sent_sha256")}};
        // A sender whose report says its workload is incomplete (a failed
        // handshake, a stock tool's wrapper) counts what its application handed
        // over, not what crossed: that digest is not compared (said so).
        const json& sender_report = c2s ? c : s;
        auto& [sent_who, sent] = reported[c2s ? 0 : 1];  // the sender's sent_sha256
        const bool sender_incomplete = sender_report.value("incomplete", false) && !sent.empty();
        if (sender_incomplete) {
          incomplete_lines.push_back(fmt::format("{}{}: the {} is not compared: its report says the workload is "
                                                 "incomplete ({}), so it counts what the application handed over, "
                                                 "not what crossed",
                                                 dir, label, sent_who, sender_report.value("incomplete_reason", "")));
          sent.clear();
        }
        json m{{"protected_records", records}};
        int compared = 0;
        if (records > 0) any_data = true;
        if (unseen.empty() && records > 0) {
          m["decrypted_bytes"] = stream.size();
          if (in.line_framing) {
            std::size_t lines = 0, bad = 0;
            stream = unframe_lines(stream, lines, bad);
            m["lines"] = lines;
            m["lines_without_a_frame"] = bad;
            m["unframed_bytes"] = stream.size();
          }
          const std::string wire = tcp::wire_digests(stream).whole;
          m["sha256"] = wire;
          for (const auto& [who, digest] : reported) {
            if (digest.empty()) continue;
            ++compared;
            const bool receiver = who.rfind(tcp::receiver_role(dir), 0) == 0;
            if (digest == wire) continue;
            support::add_failed_dir(r, receiver ? tcp::peer_dir(dir) : std::string(dir));
            problems.push_back(
                receiver ? fmt::format("{}{}: the wire delivered {} {} to the {} (sha256 {}...) but {} is "
                                       "{}...",
                                       dir, label, stream.size(), bytes_word, tcp::receiver_role(dir), wire.substr(0, 12), who,
                                       digest.substr(0, 12))
                         : fmt::format("{}{}: the {} is {}..., but the {} put {} {} on the wire (sha256 "
                                       "{}...)",
                                       dir, label, who, digest.substr(0, 12), tcp::sender_role(dir), stream.size(), bytes_word,
                                       wire.substr(0, 12)));
          }
        } else if (records > 0) {
          // No truth from the wire: the two reports against each other.
          blind.push_back(fmt::format("{}{}: {}", dir, label, fmt::join(unseen, "; ")));
          // s2c without a server sent_sha256: the echo is the client's own bytes back.
          const auto& [a_who, a] = reported[0];
          const auto& [b_who, b] = !c2s && reported[1].second.empty()
                                       ? std::pair<std::string, std::string>{"client sent_sha256", str(c, "sent_sha256")}
                                       : reported[1];
          if (!a.empty() && !b.empty()) {
            compared = 2;
            if (a != b) {
              support::add_failed_dir(r, "c2s");
              support::add_failed_dir(r, "s2c");
              problems.push_back(fmt::format("{}{}: {} {}... differs from {} {}... (not decrypted: which side is wrong "
                                             "is not known)",
                                             dir, label, a_who, a.substr(0, 12), b_who, b.substr(0, 12)));
            }
          }
        }
        for (const auto& [who, digest] : reported) {
          std::string key = who;
          std::replace(key.begin(), key.end(), ' ', '_');
          if (!digest.empty()) m[key] = digest;
        }
        m["digests_compared"] = compared;
        compared_total += compared;
        if (!stream.empty() && compared == 0 && !sender_incomplete) {  // both sides broke the contract (peers/CONTRACT.md)
          support::add_failed_dir(r, "c2s");
          support::add_failed_dir(r, "s2c");
          problems.push_back(fmt::format("{}{} carried {} bytes of application data but neither the {} nor the {} "
                                         "reported a digest of them",
                                         dir, label, stream.size(), tcp::sender_role(dir), tcp::receiver_role(dir)));
        }
        if (per_connection) r.measured[dir]["connections"].push_back(m);
        else r.measured[dir] = m;
      }
    }
    for (const auto& [role, reports] : {std::pair{"client", &client_reports}, std::pair{"server", &server_reports}})
      for (const auto& e : *reports) {
        const auto dups = e.value("duplicates", json(0));
        if (dups.is_number_integer() && dups.get<std::int64_t>() > 0) {
          support::add_failed_dir(r, role == std::string("client") ? "c2s" : "s2c");  // the side whose stack delivered them
          problems.push_back(fmt::format("the {} reported {} duplicate deliveries: TLS over TCP delivers each record "
                                         "once",
                                         role, dups.get<std::int64_t>()));
        }
      }
    if (!blind.empty()) r.measured["not_against_the_wire"] = blind;
    for (const auto& l : incomplete_lines) reset_lines.push_back(l);
    if (!reset_lines.empty()) r.measured["not_judged"] = reset_lines;
    const std::string rest =
        (blind.empty() ? "" : fmt::format("; the peers' digests compared only with each other: {}", fmt::join(blind, "; "))) +
        (reset_lines.empty() ? "" : fmt::format("; {}", fmt::join(reset_lines, "; ")));
    if (!any_data && client_reports.empty() && server_reports.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no application data on the wire and no app_data report";
    } else if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}{}", fmt::join(problems, "; "), rest);
    } else if (compared_total == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = !reset_lines.empty()
                     ? fmt::format("no digest compared{}", rest)
                     : fmt::format("no digest compared: {}", any_data ? "the peers reported none for data the view could "
                                                                        "not open"
                                                                      : "app_data reported, but no application data on the "
                                                                        "wire");
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("the peers' digests match{}{}", blind.empty() ? " the decrypted streams" : "", rest);
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_tls_data_intact() { return std::make_unique<TlsDataIntact>(); }

}  // namespace wireproof::checks
