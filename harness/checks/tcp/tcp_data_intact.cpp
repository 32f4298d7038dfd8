// tcp_data_intact: each direction's byte stream, reassembled from what the
// wire delivered (dissect/tcp_stream: first copy wins), is what the sending
// application wrote and what the receiving one read (docs/CHECKS.md):
//   c2s: SHA-256(wire stream) == client sent_sha256 == server received_sha256
//   s2c: SHA-256(wire stream) == client echoed_sha256 (== server sent_sha256 if reported)
// The wire's stream is the truth each side is judged against on its own
// (failed_dirs: the direction the judged side sends in): the RECEIVER when its
// digest is not what the wire delivered to it (never for bytes the wire did
// not deliver), the SENDER when its digest is not what it got across the wire
// (bytes it did not send, or did not resend once dropped) or a resend carried
// other bytes; a side reporting duplicates > 0 is judged on its own delivery.
// A digest a peer did not report is not compared; a direction that carried
// data with no digest reported for it at all fails both sides (the contract).
// Also fails: a resend that carried other bytes than the first copy of the
// same sequence numbers, and an app_data report with duplicates > 0 (TCP
// delivers each byte once). Several connections (a reconnect workload): their
// streams are judged concatenated, in order. not_applicable: no data on the
// wire and no app_data report.
// Parameters: none.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/peer_reports.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

std::string str(const json& e, const char* key) { return e.value(key, json(nullptr)).is_string() ? e[key].get<std::string>() : ""; }

// The stream offset of the urgent byte in `dir` of connection `k` (from its
// first URG segment), when it lies inside the delivered stream.
std::optional<std::size_t> urgent_offset(const std::vector<dissect::TcpConnection>& conns, std::size_t k,
                                         const std::string& dir, std::size_t stream_size) {
  if (k >= conns.size()) return std::nullopt;
  for (const auto& seg : conns[k].dir(dir).segments) {
    const auto& t = seg.tcp();
    if (!t.has(events::tcp_flags::urg) || t.urgent_pointer == 0) continue;
    const std::int64_t at = seg.data_start + t.urgent_pointer - 1;
    if (at < 0 || static_cast<std::size_t>(at) >= stream_size) return std::nullopt;
    return static_cast<std::size_t>(at);
  }
  return std::nullopt;
}

// The app_data events a peer printed, in order.
std::vector<json> app_data_reports(const PeerOutcome& peer) {
  std::vector<json> out;
  for (const auto& e : peer.events)
    if (e.value("event", "") == "app_data") out.push_back(e);
  return out;
}

class TcpDataIntact final : public Check {
 public:
  std::string name() const override { return "tcp_data_intact"; }
  std::string rfc() const override { return "RFC 793 1.5 / RFC 9293 3.4"; }
  std::string sentence() const override {
    return "The TCP must recover from data that is damaged, lost, duplicated, or delivered out of order by the "
           "internet communication system.";
  }
  std::vector<std::string> protocols() const override { return tcp::plain_tcp_only(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    r.expected = {{"c2s", "sha256(wire stream) == client sent_sha256 == server received_sha256"},
                  {"s2c", "sha256(wire stream) == client echoed_sha256 == server sent_sha256 (those reported)"},
                  {"resends", "same bytes as the first copy"},
                  {"duplicates", 0}};
    const auto& conns = tcp::connections(in);
    // An abort (RST) discards what was in flight and what the receiver had not
    // read, so neither digest can match the wire's stream: only resends and
    // duplicate deliveries are judged then.
    const auto& workload = in.scenario.tcp.workload;
    const bool aborts = workload == "abort-unread" || workload == "linger-abort";
    const auto client = support::find_peer_event(in, "client", "app_data");
    const auto server = support::find_peer_event(in, "server", "app_data");
    for (const auto& rep : {client, server})
      if (rep && rep->log_i) r.evidence.push_back(*rep->log_i);
    const json c_all = client ? client->event : json::object();
    const json s_all = server ? server->event : json::object();

    std::vector<std::string> problems;
    r.measured = json::object();
    bool any_data = false;
    // A workload that connects more than once (reconnect) reports one
    // app_data per connection (`connection` 1, 2, ...): each connection's
    // streams are then judged against its own reports.
    const auto client_reports = app_data_reports(in.client), server_reports = app_data_reports(in.server);
    // Connections that carried data (a refused attempt is a SYN and a RST).
    std::vector<std::size_t> with_data;
    for (std::size_t k = 0; k < conns.size(); ++k)
      if (!conns[k].dir("c2s").stream.empty() || !conns[k].dir("s2c").stream.empty()) with_data.push_back(k);
    const bool per_connection = with_data.size() > 1 && client_reports.size() == with_data.size() &&
                                server_reports.size() == with_data.size();
    const std::size_t units = per_connection ? with_data.size() : 1;
    for (std::size_t unit = 0; unit < units; ++unit) {
      const json& c = per_connection ? client_reports[unit] : c_all;
      const json& s = per_connection ? server_reports[unit] : s_all;
      const std::string label = per_connection ? fmt::format(" (connection {})", unit + 1) : "";
    for (const char* dir : tcp::kDirs) {
      std::vector<std::uint8_t> stream;
      std::int64_t holes = 0;
      for (std::size_t k = 0; k < conns.size(); ++k) {
        if (per_connection && k != with_data[unit]) continue;
        const auto& conn = conns[k];
        const auto& d = conn.dir(dir);
        stream.insert(stream.end(), d.stream.begin(), d.stream.end());
        holes += d.missing;
        for (const auto& m : d.mismatches) {
          r.evidence.push_back(m.i);
          support::add_failed_dir(r, dir);
          problems.push_back(fmt::format("{}: the {}'s resend i={} carries other bytes at stream offset {} than the "
                                         "first copy (i={})",
                                         dir, tcp::sender_role(dir), m.i, m.offset, m.first_i));
        }
      }
      // Urgent data (RFC 9293 3.8.2, RFC 6093 4: the urgent pointer points to
      // the byte after the last urgent byte) is read out of band with
      // SO_OOBINLINE off, so the receiver's in-band stream is the wire's
      // without it. Where it is comes from the wire's URG segment, not a peer.
      const auto urgent_at = workload == "urgent"
                                 ? urgent_offset(conns, per_connection ? with_data[unit] : 0, dir, stream.size())
                                 : std::nullopt;
      const tcp::WireDigests digests = tcp::wire_digests(stream, urgent_at);
      const std::string& wire = digests.whole;
      const bool c2s = std::string(dir) == "c2s";
      // (who, digest) pairs the wire's stream is compared with.
      const std::vector<std::pair<std::string, std::string>> reported =
          c2s ? std::vector<std::pair<std::string, std::string>>{{"client sent_sha256", str(c, "sent_sha256")},
                                                                 {"server received_sha256", str(s, "received_sha256")}}
              : std::vector<std::pair<std::string, std::string>>{{"client echoed_sha256", str(c, "echoed_sha256")},
                                                                 {"server sent_sha256", str(s, "sent_sha256")}};
      json m{{"bytes", stream.size()}, {"sha256", wire}, {"bytes_missing_below_highest", holes}};
      const std::string& inband = digests.inband ? *digests.inband : wire;
      if (digests.inband) {
        m["urgent_byte_offset"] = *urgent_at;
        m["inband_sha256"] = inband;
      }
      int compared = 0;
      for (const auto& [who, digest] : reported) {
        if (digest.empty() || aborts) continue;
        ++compared;
        std::string key = who;
        std::replace(key.begin(), key.end(), ' ', '_');  // "client_sent_sha256"
        m[key] = digest;
        const bool receiver = who.rfind(tcp::receiver_role(dir), 0) == 0;
        // A receiver may also deliver the urgent byte in band (lwIP; RFC 6093 6): urgent_data judges which it did.
        if (digest != (receiver ? inband : wire) && !(receiver && digest == wire)) {
          // The wire's stream is the truth between them: a receiver that read
          // other bytes than the wire delivered to it is judged, a sender
          // whose digest is not what it got across the wire is.
          support::add_failed_dir(r, receiver ? tcp::peer_dir(dir) : std::string(dir));
          problems.push_back(
              receiver ? fmt::format("{}{}: the wire delivered {} bytes to the {} (sha256 {}..., {} missing below the "
                                     "highest delivered) but {} is {}...",
                                     dir, label, stream.size(), tcp::receiver_role(dir), wire.substr(0, 12), holes, who,
                                     digest.substr(0, 12))
                       : fmt::format("{}{}: the {} is {}..., but the wire delivered {} bytes of the {}'s stream "
                                     "(sha256 {}..., {} missing below the highest delivered)",
                                     dir, label, who, digest.substr(0, 12), stream.size(), tcp::sender_role(dir),
                                     wire.substr(0, 12), holes));
        }
      }
      if (!stream.empty()) any_data = true;
      if (!stream.empty() && compared == 0 && !aborts) {  // both sides broke the contract (peers/CONTRACT.md "TCP")
        support::add_failed_dir(r, "c2s");
        support::add_failed_dir(r, "s2c");
        problems.push_back(fmt::format("{} carried {} bytes but neither the {} nor the {} reported a digest for them", dir,
                                       stream.size(), tcp::sender_role(dir), tcp::receiver_role(dir)));
      }
      m["digests_compared"] = compared;
      if (per_connection) r.measured[dir]["connections"].push_back(m);
      if (!per_connection || unit == 0) r.measured[dir]["bytes"] = 0;
      r.measured[dir]["bytes"] = r.measured[dir]["bytes"].get<std::size_t>() + stream.size();
      if (!per_connection) r.measured[dir] = m;
    }
    }
    for (const auto& [role, e] : {std::pair{"client", &c_all}, std::pair{"server", &s_all}}) {
      const auto dups = e->value("duplicates", json(0));
      if (dups.is_number_integer() && dups.get<std::int64_t>() > 0) {
        support::add_failed_dir(r, role == std::string("client") ? "c2s" : "s2c");  // the side whose stack delivered them
        problems.push_back(fmt::format("{} reported {} duplicate deliveries: TCP delivers each byte once", role,
                                       dups.get<std::int64_t>()));
      }
    }
    if (!any_data && !client && !server) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no data on the wire and no app_data report";
      return r;
    }
    if (problems.empty() && aborts) {
      r.verdict = Verdict::not_applicable;
      r.detail = fmt::format("the {} workload aborts the connection: its digests cannot match the wire's stream, "
                             "so only resends and duplicate deliveries were judged (none wrong)",
                             workload);
    } else if (problems.empty()) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("c2s {} bytes and s2c {} bytes match the peers' digests", r.measured["c2s"]["bytes"].get<std::size_t>(),
                             r.measured["s2c"]["bytes"].get<std::size_t>());
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_tcp_data_intact() { return std::make_unique<TcpDataIntact>(); }

}  // namespace wireproof::checks
