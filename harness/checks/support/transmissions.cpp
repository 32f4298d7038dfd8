#include "harness/checks/support/transmissions.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "harness/checks/support/send_order.hpp"

namespace wireproof::checks::support {

using events::Datagram;

const char* to_string(Transmission::Kind k) {
  switch (k) {
    case Transmission::Kind::original: return "original";
    case Transmission::Kind::timer: return "timer";
    case Transmission::Kind::response: return "response";
  }
  return "original";
}

// Identity of the plaintext handshake fragments a datagram carries, from the
// dissection: (type, message_seq, frag_offset, frag_length).
using FragmentId = std::tuple<int, int, std::uint32_t, std::uint32_t>;

static std::set<FragmentId> fragment_ids(const Datagram& d) {
  std::set<FragmentId> ids;
  for (const auto& r : d.records)
    if (r.hs) ids.emplace(r.hs->type, r.hs->message_seq, r.hs->frag_offset, r.hs->frag_length);
  return ids;
}

// The latest datagram from `from_dir` delivered after after_us and before
// t_us: the arrival a retransmission may be answering. Strictly before: an
// answer leaves after what it answers arrived, and a relay that woke late
// logs datagrams of both sides read in one batch at one t_us.
struct Arrival {
  std::uint64_t i;
  std::int64_t delivered_us;
};
static std::optional<Arrival> arrival_before(const std::vector<const Datagram*>& all, const std::string& from_dir,
                                             std::int64_t after_us, std::int64_t t_us) {
  std::optional<Arrival> found;
  for (const auto* d : all) {
    if (d->dir != from_dir) continue;
    for (auto delivered : d->deliveries_us)
      if (delivered > after_us && delivered < t_us && (!found || delivered > found->delivered_us))
        found = Arrival{d->i, delivered};
  }
  return found;
}

static bool is_hello_verify_request(const Datagram& d) {
  for (const auto& r : d.records)
    if (r.hs && r.hs->type == 3) return true;
  return false;
}

std::vector<FlightSeries> flight_series(const events::EventLog& log, const TransmissionOptions& options) {
  const auto sent = datagrams_in_send_order(log);
  std::map<std::pair<std::string, int>, std::size_t> index;  // (dir, flight) -> position in out
  std::vector<FlightSeries> out;
  std::map<std::pair<std::string, int>, std::set<FragmentId>> open_ids;  // fragments in the open transmission

  for (const auto* d : sent) {
    if (!d->flight) continue;
    const auto key = std::make_pair(d->dir, *d->flight);
    auto [it, inserted] = index.emplace(key, out.size());
    if (inserted) out.push_back(FlightSeries{d->dir, *d->flight, is_hello_verify_request(*d), {}});
    auto& series = out[it->second].transmissions;
    const auto ids = fragment_ids(*d);
    bool start_new = series.empty();
    if (!start_new) {
      const auto& last = series.back();
      const bool gap = d->t_us - last.datagrams.back()->t_us > options.group_window_us;
      bool repeats = false;
      for (const auto& id : ids) repeats = repeats || open_ids[key].count(id) > 0;
      start_new = gap || repeats;
    }
    if (start_new) {
      Transmission t;
      t.t_us = d->t_us;
      if (!series.empty()) {
        const auto arrival = arrival_before(sent, other_dir(d->dir), series.back().t_us, d->t_us);
        if (arrival) t.peer_arrival_us = arrival->delivered_us;
        if (arrival && d->t_us - arrival->delivered_us <= options.response_window_us) t.trigger_i = arrival->i;
        t.kind = t.trigger_i ? Transmission::Kind::response : Transmission::Kind::timer;
      }
      series.push_back(std::move(t));
      open_ids[key].clear();
    }
    series.back().datagrams.push_back(d);
    open_ids[key].insert(ids.begin(), ids.end());
  }
  return out;
}

LastFlights last_flights(const std::vector<FlightSeries>& series) {
  LastFlights out;
  for (const auto& s : series)
    if (!out.last || s.flight > out.last->flight) out.last = &s;
  for (const auto& s : series)
    if (out.last && s.dir != out.last->dir && s.flight < out.last->flight &&
        (!out.peer || s.flight > out.peer->flight))
      out.peer = &s;
  return out;
}

}  // namespace wireproof::checks::support
