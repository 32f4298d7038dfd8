// key_update (RFC 8446 4.6.3), TLS 1.3, from the decrypted records (a key
// log is needed: KeyUpdate is encrypted; without one nothing is judged, and
// the check says so). Per direction, the side judged named (failed_dirs):
//  - the SENDER of a KeyUpdate: sent after its own Finished, under an
//    application traffic key ("This message can be sent by either peer after
//    it has sent a Finished message");
//  - the RECEIVER of a KeyUpdate(update_requested) (judged in the direction
//    it sends in): its next KeyUpdate sent after the request reached it
//    carries update_not_requested, and it sends one before any more
//    application data; if it sends application data after the request and
//    never a KeyUpdate, it fails. Application-data records it sent after the
//    request arrived but before its answer are counted, not failed: the
//    library may have written them before it read the request (the wire
//    cannot see when it did);
//  - with `requested_by: client|server` (the scenario gave that side
//    --key-update): that side sent a KeyUpdate(update_requested) at all.
// The peers' `key_update` events are not used: the wire is the judge.
// not_applicable: no KeyUpdate on the wire and none asked for, or what was
// needed was not decrypted (named).
// Parameters: requested_by (none).
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tcp/tcp_support.hpp"
#include "harness/checks/tls/tls_support.hpp"
#include "harness/dissect/tls_decrypt.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

constexpr std::uint8_t kUpdateNotRequested = 0, kUpdateRequested = 1;

std::string request_name(const dissect::TranscriptMessage& m) {
  if (m.body.size() != 1) return fmt::format("a {}-byte body", m.body.size());
  if (m.body[0] == kUpdateNotRequested) return "update_not_requested";
  if (m.body[0] == kUpdateRequested) return "update_requested";
  return fmt::format("request_update {}", m.body[0]);
}

class KeyUpdate final : public Check {
 public:
  std::string name() const override { return "key_update"; }
  std::string rfc() const override { return "RFC 8446 4.6.3"; }
  std::string sentence() const override {
    return "If the request_update field is set to \"update_requested\", then the receiver MUST send a KeyUpdate of "
           "its own with request_update set to \"update_not_requested\" prior to sending its next Application Data "
           "record.";
  }
  std::vector<std::string> protocols() const override { return tls::tls13_only(); }
  std::vector<std::string> parameters() const override { return {"requested_by"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const std::string requested_by = params.value("requested_by", "");
    if (!requested_by.empty() && requested_by != "client" && requested_by != "server")
      throw std::runtime_error(
          fmt::format("key_update: requested_by must be client or server, got '{}'", requested_by));
    CheckResult r;
    r.expected = {{"sent", "after the sender's Finished, under an application traffic key"},
                  {"update_requested", "answered by the receiver's KeyUpdate(update_not_requested) before its next "
                                       "application data"}};
    if (!requested_by.empty()) r.expected["requested_by"] = requested_by;
    r.measured = json::object();
    const auto& view = support::tls_view(in);
    std::vector<std::string> problems, not_judged, notes;
    int updates = 0, judged = 0;
    bool requested_seen = false;
    for (std::size_t k = 0; k < view.connections.size(); ++k) {
      const auto& t = view.connections[k].tls;
      if (t.version != dissect::kTls13) continue;
      const std::string label = view.connections.size() > 1 ? fmt::format(" (connection {})", k + 1) : "";
      for (const char* dir : tcp::kDirs) {
        const auto& d = t.dir(dir);
        const auto& peer = t.dir(tcp::peer_dir(dir));
        const std::string sender = tcp::sender_role(dir), receiver = tcp::receiver_role(dir);
        if (tls::has_unopened(d))
          not_judged.push_back(fmt::format("{}{}: {}", dir, label, fmt::join(tls::unseen_of(t, dir), "; ")));
        bool finished = false;
        for (const auto& m : d.handshake) {
          if (m.type == dissect::kHsFinished && m.encrypted) finished = true;
          if (m.type != dissect::kHsKeyUpdate) continue;
          ++updates;
          ++judged;
          const auto& rec = d.records[m.first_record];
          for (auto i : support::record_packets(rec)) r.evidence.push_back(i);
          const std::string what = fmt::format("{}{}: the {}'s KeyUpdate({}) i={}", dir, label, sender, request_name(m),
                                               rec.first.i);
          if (!finished || m.key < dissect::kKeyApplication0) {
            support::add_failed_dir(r, dir);
            problems.push_back(fmt::format("{} was sent {} under the {}", what,
                                           finished ? "after its Finished but" : "before its Finished,",
                                           dissect::key_name(m.key, t.version)));
          }
          if (m.body.size() != 1 || m.body[0] > kUpdateRequested) {
            support::add_failed_dir(r, dir);
            problems.push_back(fmt::format("{}: request_update must be 0 or 1 (RFC 8446 4.6.3)", what));
            continue;
          }
          if (m.body[0] != kUpdateRequested) continue;
          if (sender == requested_by) requested_seen = true;
          // The receiver's answer: its first KeyUpdate sent after the request reached it.
          const std::int64_t arrived = rec.last.delivered_us;
          std::size_t old_key_records = 0;
          const dissect::TranscriptMessage* answer = nullptr;
          bool unopened_after = false;
          for (const auto& pr : peer.records) {
            if (pr.first.t_us <= arrived) continue;
            if (pr.is_protected && !pr.decrypted) {
              unopened_after = true;
              break;
            }
            if (pr.content_type == dissect::kApplicationData) ++old_key_records;
            for (const auto& pm : peer.handshake)
              if (pm.type == dissect::kHsKeyUpdate && pm.first_record == pr.index) answer = &pm;
            if (answer) break;
          }
          const std::string peer_dir = tcp::peer_dir(dir);
          if (answer) {
            const auto& arec = peer.records[answer->first_record];
            for (auto i : support::record_packets(arec)) r.evidence.push_back(i);
            if (answer->body != std::vector<std::uint8_t>{kUpdateNotRequested}) {
              support::add_failed_dir(r, peer_dir);
              problems.push_back(fmt::format("{} was answered by the {}'s KeyUpdate({}) i={}: it must be "
                                             "update_not_requested",
                                             what, receiver, request_name(*answer), arec.first.i));
            } else {
              notes.push_back(fmt::format("{} answered by the {}'s KeyUpdate(update_not_requested) i={}{}", what,
                                          receiver, arec.first.i,
                                          old_key_records == 0
                                              ? ""
                                              : fmt::format(" after {} application-data record(s) it sent once the "
                                                            "request had arrived (possibly written before it read it)",
                                                            old_key_records)));
            }
          } else if (unopened_after) {
            not_judged.push_back(fmt::format("{}: the {}'s records after it were not all decrypted ({})", what, receiver,
                                             fmt::join(tls::unseen_of(t, peer_dir), "; ")));
          } else if (old_key_records > 0) {
            support::add_failed_dir(r, peer_dir);
            problems.push_back(fmt::format("{} reached the {} at {} ms, which then sent {} application-data record(s) "
                                           "and never a KeyUpdate of its own",
                                           what, receiver, tcp::ms(arrived), old_key_records));
          } else {
            not_judged.push_back(fmt::format("{}: the {} sent neither a KeyUpdate nor application data after it (the "
                                             "rule binds only before its next application data)",
                                             what, receiver));
          }
        }
      }
    }
    const bool all_seen = not_judged.empty();
    if (!requested_by.empty() && !requested_seen) {
      if (all_seen && !view.connections.empty()) {
        support::add_failed_dir(r, requested_by == "client" ? "c2s" : "s2c");
        problems.push_back(fmt::format("the scenario asked the {} for a KeyUpdate(update_requested) (--key-update), but "
                                       "none crossed the wire",
                                       requested_by));
      } else {
        not_judged.push_back(fmt::format("the {}'s KeyUpdate(update_requested) the scenario asked for was not seen",
                                         requested_by));
      }
    }
    r.measured["key_updates"] = updates;
    r.measured["judged"] = judged;
    if (!notes.empty()) r.measured["answered"] = notes;
    tls::conclude(r, problems, judged > 0,
                  fmt::format("{} KeyUpdate(s), each after its sender's Finished{}", updates,
                              notes.empty() ? "" : fmt::format("; {}", fmt::join(notes, "; "))),
                  not_judged.empty() ? "no KeyUpdate on the wire (none asked for)"
                                     : fmt::format("no KeyUpdate seen{}", tls::not_judged_suffix(not_judged)),
                  not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_key_update() { return std::make_unique<KeyUpdate>(); }

}  // namespace wireproof::checks
