// Does a datagram satisfy a scenario Match? All given fields must hold; the
// record-level fields (handshake_type, content_type, epoch, message_seq) hold
// when any record of the datagram has that value.
#pragma once

#include <cstdint>

#include "harness/events/event_log.hpp"
#include "harness/scenario/model.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::wire {

// A datagram's arrival index in each direction and overall, for `match.index`.
struct ArrivalIndex {
  std::uint64_t c2s = 0, s2c = 0, all = 0;
  std::uint64_t in(scenario::Direction d) const {
    return d == scenario::Direction::c2s ? c2s : d == scenario::Direction::s2c ? s2c : all;
  }
};

bool direction_includes(scenario::Direction rule_dir, Dir dir);

// `index` is the datagram's index among datagrams in the rule's direction(s).
bool matches(const scenario::Match& m, const events::Datagram& d, std::uint64_t index);

}  // namespace wireproof::wire
