// urgent_data: where the sender's urgent pointer points, and what the
// receiving application got (docs/CHECKS.md). Only the urgent workload says
// which byte is urgent:
//  - the urgent byte's stream offset U is what the harness asked for: the
//    client writes half the records (count / 2 x (8 + chunk) bytes) before its
//    MSG_OOB byte (peers/CONTRACT.md "TCP", urgent row); the client's
//    `urgent_offset` must agree, and the wire's byte at U is the urgent byte;
//  - sender, RFC 9293 3.8.5 / RFC 6093 4 (the c2s direction): every segment
//    with URG points at U + 1, "the octet following the urgent data" (RFC
//    1122 4.2.2.4's LAST, U, fails; measured.convention says which the sender
//    used); 0xFFFF from a segment more than 65535 octets before U + 1 means
//    "further on" and fits; a sender asked to send urgent data that set URG
//    on no segment fails;
//  - receiver, RFC 9293 3.8.5 ("MUST inform the application layer
//    asynchronously whenever it receives an urgent pointer", the s2c
//    direction): its report shows an out-of-band read of the urgent byte or an
//    urgent mark (SIOCATMARK) at in-band offset U; and the byte reached the
//    application exactly once: its received_sha256 is the wire's c2s stream
//    without the byte at U when it read it out of band, the whole stream when
//    in band (tcp::wire_digests, tcp_data_intact's; never the client's digests);
//  - reported, not judged (measured.delivery): in band or out of band, the
//    marks, when the out-of-band read happened. RFC 6093 6 advises
//    applications (not stacks) to read urgent data inline.
// A receiver that reports no oob/marks (a stack whose API has none) is listed
// in measured.not_judged. not_applicable: not the urgent workload.
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/tcp/tcp_support.hpp"
#include "peers/common/echo_chunks.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::TcpConnection;
namespace f = events::tcp_flags;

// The stream offset of the urgent byte the harness asked for.
std::uint64_t asked_urgent_offset(const scenario::Scenario& sc) {
  const peers::ChunkPlan plan{sc.workload.echo_bytes, sc.workload.chunk};
  // The first half of the records are all full (half < count), each 8 + chunk bytes.
  return plan.count() / 2 * (peers::kChunkHeaderBytes + plan.chunk);
}

std::optional<json> last_report(const Inputs& in, const std::string& role) {
  const auto reports = tcp::peer_events(in, role, "app_data");
  if (reports.empty()) return std::nullopt;
  return reports.back().event;
}

class UrgentData final : public Check {
 public:
  std::string name() const override { return "urgent_data"; }
  std::string rfc() const override { return "RFC 9293 3.8.5 / RFC 6093 4"; }
  std::string sentence() const override {
    return "The urgent pointer points to the sequence number of the octet following the urgent data.";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    if (in.scenario.tcp.workload != "urgent") {
      r.verdict = Verdict::not_applicable;
      r.detail = "not the urgent workload: no byte is known to be urgent";
      return r;
    }
    const std::uint64_t u = asked_urgent_offset(in.scenario);
    r.expected = {{"urgent_offset", u}, {"urgent_pointer_seq_rel", u + 1},
                  {"receiver", "told (out-of-band read or a mark at the urgent offset), the byte delivered once"}};
    r.measured = json::object();
    json not_judged = json::array();
    std::vector<std::string> problems;
    const auto fail = [&](const std::string& dir, std::string why) {
      support::add_failed_dir(r, dir);
      problems.push_back(std::move(why));
    };
    const auto client = last_report(in, "client");
    const auto server = last_report(in, "server");
    if (client && client->contains("urgent_offset") && (*client)["urgent_offset"].get<std::uint64_t>() != u)
      fail("c2s", fmt::format("c2s (client): it reported urgent_offset {} but the harness asked for {} (half the records)",
                              (*client)["urgent_offset"].get<std::uint64_t>(), u));

    const auto& conns = tcp::connections(in);
    if (conns.empty() || !conns.front().c2s.syn) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no TCP connection";
      return r;
    }
    const TcpConnection& c = conns.front();
    const auto& stream = c.c2s.stream;
    std::optional<int> wire_byte;
    if (u < stream.size()) wire_byte = stream[u];
    if (wire_byte) r.measured["urgent_byte_on_wire"] = *wire_byte;
    if (wire_byte && client && client->contains("urgent_byte") && (*client)["urgent_byte"].get<int>() != *wire_byte)
      fail("c2s", fmt::format("c2s (client): the wire carried 0x{:02x} at offset {}, the client reported urgent byte 0x{:02x}", *wire_byte,
                              u, (*client)["urgent_byte"].get<int>()));

    // Sender: every URG segment's pointer.
    json urg = json::array();
    std::string wrong;
    int last_plus_one = 0, last = 0;
    for (const auto& s : c.c2s.segments) {
      if (!s.tcp().has(f::urg) || s.tcp().has(f::syn)) continue;
      const std::int64_t points = s.data_start + s.tcp().urgent_pointer;
      const std::int64_t want = static_cast<std::int64_t>(u) + 1;
      const bool further_on = want - s.data_start > 0xffff && s.tcp().urgent_pointer == 0xffff;
      urg.push_back({{"i", s.i()}, {"seq_rel", s.data_start}, {"urgent_pointer", s.tcp().urgent_pointer}, {"points_at", points}});
      r.evidence.push_back(s.i());
      if (points == want || further_on) { ++last_plus_one; continue; }
      if (points == want - 1) ++last;
      if (wrong.empty())
        wrong = fmt::format("i={} (seq {}) has urgent pointer {}, pointing at {}{}; the urgent byte is {} so it must point at {}",
                            s.i(), s.data_start, s.tcp().urgent_pointer, points,
                            points == want - 1 ? " (the urgent byte itself: RFC 1122's LAST)" : "", u, want);
    }
    r.measured["urg_segments"] = urg;
    r.measured["convention"] = urg.empty() ? "none" : last == static_cast<int>(urg.size()) ? "LAST (RFC 1122 4.2.2.4)"
                               : last_plus_one == static_cast<int>(urg.size())          ? "LAST+1 (RFC 6093 / RFC 9293)"
                                                                                         : "mixed";
    if (urg.empty()) fail("c2s", fmt::format("c2s (client): it sent urgent data (MSG_OOB at offset {}) but no segment had URG set", u));
    else if (!wrong.empty()) fail("c2s", "c2s (client): " + wrong);

    // Receiver: told, and the byte delivered once.
    if (!server || !server->contains("oob") || !server->contains("marks")) {
      not_judged.push_back("s2c (server): its report has no oob/marks: what its application was told is unknown");
    } else if (!wire_byte) {  // the receiver cannot be judged on a byte the wire did not deliver to it
      not_judged.push_back(fmt::format("s2c (server): the wire delivered {} bytes of the c2s stream, not the urgent byte "
                                       "at offset {}: the receiver is not judged", stream.size(), u));
    } else {
      const json& oob = (*server)["oob"];
      const json& marks = (*server)["marks"];
      bool read_oob = false, marked = false;
      for (const auto& o : oob) read_oob = read_oob || o.value("byte", -1) == *wire_byte;
      for (const auto& m : marks) marked = marked || m.get<std::uint64_t>() == u;
      r.measured["delivery"] = {{"urgent_byte", "unknown"}, {"oob", oob}, {"marks", marks}};
      if (!read_oob && !marked)
        fail("s2c", fmt::format("s2c (server): its application was not told of the urgent data: no out-of-band read of it "
                                "and no urgent mark at in-band offset {} (marks {})", u, marks.dump()));
      // Delivered once, judged against what crossed the wire (tcp_data_intact's
      // digests of the reassembled c2s stream), never the sender's own report.
      const std::string got = server->value("received_sha256", "");
      const tcp::WireDigests wire = tcp::wire_digests(stream, u);
      const bool inline_copy = got == wire.whole;
      const bool without = wire.inband && got == *wire.inband;
      r.measured["delivery"]["urgent_byte"] = read_oob ? "out of band" : inline_copy ? "in band" : without ? "lost" : "unknown";
      r.measured["wire_sha256"] = wire.whole;
      if (wire.inband) r.measured["wire_inband_sha256"] = *wire.inband;
      if (got.empty()) {
        not_judged.push_back("s2c (server): it reported no received_sha256 to compare with the wire's stream");
      } else if (read_oob && !without) {
        fail("s2c", fmt::format("s2c (server): it read the urgent byte out of band, but its in-band stream (received_sha256 "
                                "{}) is not the wire's without it ({}){}", got.substr(0, 16), wire.inband->substr(0, 16),
                                inline_copy ? ": the byte came twice" : ""));
      } else if (!read_oob && !inline_copy) {
        fail("s2c", fmt::format("s2c (server): no out-of-band read of the urgent byte, and its in-band stream (received_sha256 "
                                "{}) is not the wire's with it ({}){}", got.substr(0, 16), wire.whole.substr(0, 16),
                                without ? ": the byte was lost" : ""));
      }
    }
    if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} URG segment(s) point at {} (LAST+1, the octet after the urgent byte at {}); {}", urg.size(),
                             u + 1, u,
                             r.measured.contains("delivery")
                                 ? fmt::format("the server's application got the byte {} (marks {})",
                                               r.measured["delivery"]["urgent_byte"].get<std::string>(),
                                               r.measured["delivery"]["marks"].dump())
                                 : std::string("the receiver was not judged"));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_urgent_data() { return std::make_unique<UrgentData>(); }

}  // namespace wireproof::checks
