// mtu_fit: datagrams fit the MTU in force. Peers are told scenario.peers.mtu
// (default link.mtu) at start, so from the start every datagram's ip_size
// must be <= that MTU.
// After a timeline MTU reduction (a link event) a sender cannot know the new
// MTU (no ICMP in relay mode) until its retransmissions go unanswered:
//  - handshake datagrams may stay up to the previous MTU until the side has
//    made `grace_retransmissions` retransmissions after the change, of any
//    flight and for any reason (its timer or an answer to the peer's
//    retransmission: either way the copy before it went unanswered, RFC 6347
//    4.1.1.1 "If repeated retransmissions do not result in a response"); from
//    its next one on they must fit the new MTU. A stateless server's
//    HelloVerifyRequests do not count: they answer, and carry no flight;
//  - other datagrams (application data, alerts) are judged against the new MTU
//    once the side has shown it knows it (it adapted, below); before that they
//    are judged against the previous MTU and counted as sent before learning.
// The check reports, per side, whether the sender adapted at all: whether a
// flight that went out too big was later sent again in datagrams that fit.
// Parameters (expect.checks.mtu_fit):
//   grace_retransmissions (default 2)
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/send_order.hpp"
#include "harness/checks/support/transmissions.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

struct MtuChange {
  std::uint64_t i;
  std::int64_t t_us;
  int mtu;
  int previous;  // the limit in force before this change
};

struct SideStats {
  std::size_t datagrams = 0, oversize = 0, tolerated = 0, before_learning = 0;
  std::size_t max_ip_size = 0;
  std::optional<std::uint64_t> first_offending_i;
  std::set<int> oversize_flights;  // flights sent too big after a reduction
  std::optional<bool> adapted;     // null: nothing to adapt to
};

class MtuFit final : public Check {
 public:
  std::string name() const override { return "mtu_fit"; }
  std::string rfc() const override { return "RFC 6347 4.1.1 / 4.1.1.1"; }
  std::string sentence() const override {
    return "In order to avoid IP fragmentation, clients of the DTLS record layer SHOULD attempt to size records "
           "so that they fit within any PMTU estimates obtained from the record layer. ... If repeated "
           "retransmissions do not result in a response, and the PMTU is unknown, subsequent retransmissions "
           "SHOULD back off to a smaller record size, fragmenting the handshake message as appropriate.";
  }

  std::vector<std::string> parameters() const override { return {"grace_retransmissions"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const double grace_param = support::number_param(params, "grace_retransmissions", 2);
    if (grace_param < 0) throw std::runtime_error("parameter 'grace_retransmissions' must be >= 0");
    const auto grace = static_cast<std::size_t>(grace_param);
    const int configured = in.scenario.peers.mtu.value_or(in.scenario.link.mtu);

    std::vector<MtuChange> changes;
    int limit = configured;
    for (const auto& e : in.log.events) {
      const auto* l = std::get_if<events::LinkChange>(&e);
      if (!l || l->change != "mtu" || !l->value.is_number_integer()) continue;
      changes.push_back({l->i, l->t_us, l->value.get<int>(), limit});
      limit = l->value.get<int>();
    }
    std::stable_sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) { return a.t_us < b.t_us; });

    // Start times of each side's retransmissions (every transmission of a
    // flight after its first).
    std::map<std::string, std::vector<std::int64_t>> retransmission_starts;
    for (const auto& series : support::flight_series(in.log, {}))
      for (std::size_t k = 1; k < series.transmissions.size() && !series.stateless; ++k)
        retransmission_starts[series.dir].push_back(series.transmissions[k].t_us);

    CheckResult r;
    json change_list = json::array();
    for (const auto& c : changes) {
      change_list.push_back({{"i", c.i}, {"at_ms", support::to_ms(c.t_us)}, {"mtu", c.mtu}});
      r.evidence.push_back(c.i);
    }
    r.expected = {{"mtu_configured", configured}, {"mtu_changes", change_list},
                  {"grace_retransmissions", grace}, {"rule", "ip_size <= MTU in force"}};

    std::map<std::string, SideStats> sides{{"c2s", {}}, {"s2c", {}}};
    const auto datagrams = support::datagrams_in_send_order(in.log);
    for (const auto* d : datagrams) {
      SideStats& s = sides[d->dir];
      ++s.datagrams;
      s.max_ip_size = std::max(s.max_ip_size, d->ip_size);
      const MtuChange* change = nullptr;
      for (const auto& c : changes)
        if (c.t_us <= d->t_us) change = &c;
      const int now = change ? change->mtu : configured;
      const bool reduced = change && change->mtu < change->previous;
      if (static_cast<int>(d->ip_size) <= now) {
        if (d->flight && s.oversize_flights.count(*d->flight)) s.adapted = true;
        continue;
      }
      if (reduced && d->flight) {
        s.oversize_flights.insert(*d->flight);
        if (!s.adapted) s.adapted = false;
        const auto& starts = retransmission_starts[d->dir];
        const auto made = std::count_if(starts.begin(), starts.end(),
                                        [&](std::int64_t t) { return t >= change->t_us && t <= d->t_us; });
        if (static_cast<std::size_t>(made) <= grace && static_cast<int>(d->ip_size) <= change->previous) {
          ++s.tolerated;
          continue;
        }
      }
      if (reduced && !d->flight && s.adapted != true && static_cast<int>(d->ip_size) <= change->previous) {
        ++s.before_learning;
        continue;
      }
      ++s.oversize;
      if (!s.first_offending_i) s.first_offending_i = d->i;
      r.evidence.push_back(d->i);
    }

    json measured;
    std::size_t oversize = 0;
    std::vector<std::string> never_adapted;
    for (const auto& [dir, s] : sides) {
      measured[dir] = {{"datagrams", s.datagrams}, {"max_ip_size", s.max_ip_size}, {"oversize", s.oversize},
                       {"tolerated_in_grace", s.tolerated},
                       {"non_handshake_before_learning_mtu", s.before_learning},
                       {"first_offending_i", s.first_offending_i ? json(*s.first_offending_i) : json(nullptr)},
                       {"adapted", s.adapted ? json(*s.adapted) : json(nullptr)}};
      oversize += s.oversize;
      if (s.adapted == false) never_adapted.push_back(dir);
    }
    r.measured = measured;
    std::sort(r.evidence.begin(), r.evidence.end());

    if (datagrams.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no datagrams crossed the wire";
    } else if (oversize == 0) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("every datagram fits the MTU in force (configured {}, {} change(s)); max ip_size c2s {}, "
                             "s2c {}",
                             configured, changes.size(), sides["c2s"].max_ip_size, sides["s2c"].max_ip_size);
    } else {
      r.verdict = Verdict::fail;
      std::uint64_t first = UINT64_MAX;
      for (const auto& [dir, side] : sides)
        if (side.first_offending_i) first = std::min(first, *side.first_offending_i);
      r.detail = fmt::format("{} datagram(s) exceed the MTU in force; first i={}{}", oversize, first,
                             never_adapted.empty() ? ""
                                                   : fmt::format("; never backed off: {}", fmt::join(never_adapted, ", ")));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_mtu_fit() { return std::make_unique<MtuFit>(); }

}  // namespace wireproof::checks
