#include "harness/wire/match.hpp"

#include <algorithm>

namespace wireproof::wire {

bool direction_includes(scenario::Direction rule_dir, Dir dir) {
  switch (rule_dir) {
    case scenario::Direction::both: return true;
    case scenario::Direction::c2s: return dir == Dir::c2s;
    case scenario::Direction::s2c: return dir == Dir::s2c;
  }
  return false;
}

bool matches(const scenario::Match& m, const events::Datagram& d, std::uint64_t index) {
  auto any_record = [&](auto pred) { return std::any_of(d.records.begin(), d.records.end(), pred); };
  if (m.handshake_type &&
      !any_record([&](const events::Record& r) { return r.hs && r.hs->type == *m.handshake_type; }))
    return false;
  if (m.content_type && !any_record([&](const events::Record& r) { return r.type == *m.content_type; }))
    return false;
  if (m.epoch && !any_record([&](const events::Record& r) { return r.epoch == *m.epoch; })) return false;
  if (m.message_seq &&
      !any_record([&](const events::Record& r) { return r.hs && r.hs->message_seq == *m.message_seq; }))
    return false;
  if (m.flight && d.flight != m.flight) return false;
  if (m.retransmission && d.retransmission != *m.retransmission) return false;
  if (m.index && index != *m.index) return false;
  if (m.size_min && d.size < *m.size_min) return false;
  if (m.size_max && d.size > *m.size_max) return false;
  const double t_ms = static_cast<double>(d.t_us) / 1000.0;
  if (m.from_ms && t_ms < *m.from_ms) return false;
  if (m.to_ms && t_ms >= *m.to_ms) return false;
  return true;
}

}  // namespace wireproof::wire
