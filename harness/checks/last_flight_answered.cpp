// last_flight_answered: the side that sent the handshake's last flight
// (the server in a full handshake) answers each retransmission of the peer's
// last flight with a retransmission of its own (RFC 6347 4.2.4).
//
// Which retransmissions demand an answer (all others are counted, not judged):
// - it reached the side after that side first sent its last flight (before
//   that, the side is not yet FINISHED);
// - the peer's Finished was among what arrived (an epoch >= 1 handshake
//   record): a retransmission whose Finished was lost is not recognisably one;
// - the peer sent it before the side's last flight had reached it whole
//   (a ChangeCipherSpec and an epoch >= 1 handshake record delivered): later
//   ones crossed the answer on the wire and need none.
// An answer is a retransmission of the last flight sent between the first
// arrival and the earlier of `answer_window_ms` after the Finished arrived and
// the next retransmission that demands an answer.
//
// Off unless the scenario turns it on (expect.checks.last_flight_answered: on):
// libraries that rate-limit these answers by their own timer (GnuTLS) answer
// or not depending on sub-millisecond timing when the peer's timer equals
// theirs, so the rule is judged where the scenario puts a margin
// (scenarios/dtls/final-flight-retransmit-answered.yaml).
// Parameters (expect.checks.last_flight_answered):
//   answer_window_ms  (default 100)
//   group_window_ms   (default 20)  datagrams closer than this form one transmission
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/transmissions.hpp"
#include "harness/checks/support/wire_records.hpp"
#include "harness/events/dtls_constants.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using support::FlightSeries;
using support::Transmission;

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
using events::kChangeCipherSpec;
using events::kHandshake;

bool has_record(const events::Datagram& d, int type, int min_epoch) {
  return support::carries(d, {type, min_epoch});
}

std::int64_t first_delivery(const events::Datagram& d) {
  return d.deliveries_us.empty() ? kNever : *std::min_element(d.deliveries_us.begin(), d.deliveries_us.end());
}

// When the whole last flight had reached the peer: a ChangeCipherSpec and an
// encrypted handshake record (the Finished) both delivered; kNever if not yet.
std::int64_t last_flight_complete_at(const FlightSeries& last) {
  std::int64_t ccs = kNever, finished = kNever;
  for (const auto& t : last.transmissions)
    for (const auto* d : t.datagrams) {
      if (has_record(*d, kChangeCipherSpec, 0)) ccs = std::min(ccs, first_delivery(*d));
      if (has_record(*d, kHandshake, 1)) finished = std::min(finished, first_delivery(*d));
    }
  return std::max(ccs, finished);
}

// One retransmission of the peer's last flight that demands an answer.
struct Demand {
  const Transmission* transmission;
  std::int64_t first_arrival_us;
  std::int64_t finished_arrival_us;
};

class LastFlightAnswered final : public Check {
 public:
  std::string name() const override { return "last_flight_answered"; }
  std::string rfc() const override { return "RFC 6347 4.2.4"; }
  std::string sentence() const override {
    return "In addition, for at least twice the default MSL defined for [TCP], when in the FINISHED state, the "
           "node that transmits the last flight (the server in an ordinary handshake or the client in a resumed "
           "handshake) MUST respond to a retransmit of the peer's last flight with a retransmit of the last flight.";
  }
  bool on_by_default() const override { return false; }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override { return {"answer_window_ms", "group_window_ms"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const auto window_us = static_cast<std::int64_t>(support::number_param(params, "answer_window_ms", 100) * 1000);
    support::TransmissionOptions options;
    options.group_window_us = static_cast<std::int64_t>(support::number_param(params, "group_window_ms", 20) * 1000);

    CheckResult r;
    r.expected = {{"answer", "a retransmission of the last flight for each retransmission of the peer's last flight"},
                  {"answer_window_ms", window_us / 1000.0},
                  {"group_window_ms", options.group_window_us / 1000.0}};

    const auto series = support::flight_series(in.log, options);
    const auto [last, peer] = support::last_flights(series);
    if (!last || !peer || last->transmissions.empty()) {
      r.detail = "no handshake flights from both sides";
      return r;
    }

    const std::int64_t finished_state_us = last->transmissions.front().t_us;
    const std::int64_t complete_us = last_flight_complete_at(*last);
    std::vector<Demand> demands;
    std::size_t crossed = 0, without_finished = 0, before_finished_state = 0, lost = 0;
    for (std::size_t k = 1; k < peer->transmissions.size(); ++k) {
      const Transmission& t = peer->transmissions[k];
      std::int64_t first = kNever, finished = kNever;
      for (const auto* d : t.datagrams) {
        first = std::min(first, first_delivery(*d));
        if (has_record(*d, kHandshake, 1)) finished = std::min(finished, first_delivery(*d));
      }
      if (first == kNever) ++lost;
      else if (first <= finished_state_us) ++before_finished_state;
      else if (t.t_us >= complete_us) ++crossed;
      else if (finished == kNever) ++without_finished;
      else demands.push_back({&t, first, finished});
    }

    json answers = json::array();
    std::size_t unanswered = 0;
    std::string first_bad;
    for (std::size_t k = 0; k < demands.size(); ++k) {
      const Demand& dm = demands[k];
      std::int64_t deadline = dm.finished_arrival_us + window_us;
      if (k + 1 < demands.size()) deadline = std::min(deadline, demands[k + 1].first_arrival_us);
      const Transmission* answer = nullptr;
      for (std::size_t a = 1; a < last->transmissions.size() && !answer; ++a) {
        const Transmission& t = last->transmissions[a];
        if (t.t_us >= dm.first_arrival_us && t.t_us <= deadline) answer = &t;
      }
      const std::uint64_t i = dm.transmission->datagrams.front()->i;
      r.evidence.push_back(i);
      json a{{"peer_retransmission_i", i},
             {"arrived_ms", dm.first_arrival_us / 1000.0},
             {"ms_after_last_flight", (dm.first_arrival_us - finished_state_us) / 1000.0},
             {"answered", answer != nullptr}};
      if (answer) {
        a["answer_i"] = answer->datagrams.front()->i;
        a["answer_after_ms"] = (answer->t_us - dm.finished_arrival_us) / 1000.0;
        r.evidence.push_back(answer->datagrams.front()->i);
      } else if (unanswered++ == 0) {
        first_bad = fmt::format("{} flight {} retransmission (i={}) reached the {} side {:.1f} ms after its flight {}; "
                                "no retransmission of flight {} followed within {:.0f} ms",
                                peer->dir, peer->flight, i, last->dir == "s2c" ? "server" : "client",
                                (dm.first_arrival_us - finished_state_us) / 1000.0, last->flight, last->flight,
                                (deadline - dm.finished_arrival_us) / 1000.0);
      }
      answers.push_back(std::move(a));
    }

    r.measured = {{"last_flight", {{"dir", last->dir}, {"flight", last->flight}}},
                  {"peer_flight", {{"dir", peer->dir}, {"flight", peer->flight}}},
                  {"retransmissions_to_answer", answers},
                  {"not_judged",
                   {{"lost", lost},
                    {"before_last_flight", before_finished_state},
                    {"after_last_flight_arrived_whole", crossed},
                    {"finished_lost", without_finished}}}};
    if (demands.empty()) {
      r.detail = fmt::format("no retransmission of flight {} demanded an answer", peer->flight);
    } else if (unanswered == 0) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} retransmission(s) of flight {} each answered with flight {}", demands.size(),
                             peer->flight, last->flight);
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{} of {} retransmissions of flight {} unanswered; first: {}", unanswered,
                             demands.size(), peer->flight, first_bad);
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_last_flight_answered() { return std::make_unique<LastFlightAnswered>(); }

}  // namespace wireproof::checks
