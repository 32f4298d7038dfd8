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

// The latest datagram from `from_dir` delivered at or before t_us and at most
// window_us earlier: the arrival a retransmission may be answering.
static std::optional<std::uint64_t> arrival_before(const std::vector<const Datagram*>& all,
                                                   const std::string& from_dir, std::int64_t t_us,
                                                   std::int64_t window_us) {
  std::optional<std::uint64_t> found;
  std::int64_t best = -1;
  for (const auto* d : all) {
    if (d->dir != from_dir) continue;
    for (auto delivered : d->deliveries_us) {
      if (delivered <= t_us && t_us - delivered <= window_us && delivered > best) {
        best = delivered;
        found = d->i;
      }
    }
  }
  return found;
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
    if (inserted) out.push_back(FlightSeries{d->dir, *d->flight, {}});
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
        t.trigger_i = arrival_before(sent, other_dir(d->dir), d->t_us, options.response_window_us);
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

}  // namespace wireproof::checks::support
