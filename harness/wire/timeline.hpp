// The scenario's timeline: link changes that fire once, at a time (at_ms), when
// a matching datagram passes the wire (on), or when a peer reports an event.
// Timeline only says which entries fire; Link applies and logs them, with the
// entry's describe() ("at 2000 ms", "on s2c server_hello_done") as the cause.
//
//   for (auto* e : timeline.take_due(now_us)) link_apply(*e);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/events/event_log.hpp"
#include "harness/scenario/model.hpp"
#include "harness/wire/match.hpp"

namespace wireproof::wire {

class Timeline {
 public:
  using Entry = scenario::TimelineEntry;
  explicit Timeline(std::vector<Entry> entries);

  // at_ms entries due at or before now_us, by time then file order.
  std::vector<const Entry*> take_due(std::int64_t now_us);
  // When the next at_ms entry is due.
  std::optional<std::int64_t> next_at_us() const;
  // `on` entries matched by a datagram that just passed the wire.
  std::vector<const Entry*> take_on_datagram(Dir dir, const events::Datagram& d, const ArrivalIndex& arrival);
  // `on: {peer, event}` entries matched by a peer's event line.
  std::vector<const Entry*> take_on_peer(const std::string& role, const nlohmann::json& event);

  const std::vector<Entry>& entries() const { return entries_; }
  // How often entry k fired so far (an entry fires at most once).
  std::uint64_t fired(std::size_t k) const { return fired_[k] ? 1 : 0; }

 private:
  std::vector<Entry> entries_;
  std::vector<bool> fired_;
  std::vector<std::size_t> by_time_;  // indices of at_ms entries, sorted by (at_ms, index)
};

}  // namespace wireproof::wire
