// Does a datagram satisfy a scenario Match? All given fields must hold; the
// record-level fields (handshake_type, content_type, epoch, message_seq) hold
// when any record of the datagram has that value; the `tcp` fields judge the
// datagram's TCP segment where its connection's tracked state says it sits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/events/event_log.hpp"
#include "harness/scenario/model.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::wire {

// Where a TCP segment sits in its sender's sequence space, judged from the
// segments its direction carried before it (TcpTracker::observe).
struct TcpPosition {
  std::optional<std::uint32_t> seq_rel;   // seq - the sender's ISN (mod 2^32); unknown before its SYN
  std::optional<std::uint64_t> nth_data;  // 1-based ordinal among the direction's new data segments
  bool retransmission = false;            // occupies sequence space its sender had already sent
};

// A datagram's arrival index in each direction and overall, for `match.index`,
// and its TCP position (L3 wire with TCP only), for `match.tcp`.
struct ArrivalIndex {
  std::uint64_t c2s = 0, s2c = 0, all = 0;
  TcpPosition tcp;
  std::uint64_t in(scenario::Direction d) const {
    return d == scenario::Direction::c2s ? c2s : d == scenario::Direction::s2c ? s2c : all;
  }
};

// One direction of the connection as the wire saw it (its sender's side).
struct TcpDirectionState {
  bool syn_seen = false;
  std::uint32_t isn = 0;
  std::uint32_t snd_nxt = 0;         // one past the highest sequence number sent (SYN and FIN count)
  std::uint64_t data_segments = 0;   // new data segments so far
  std::uint16_t window = 0;          // the latest advertised window field, as sent
  std::optional<int> syn_window_scale;  // the WS option of its SYN
  int ip_version = 4;
  std::string src, dst;              // addresses, as events::IpLayer holds them
  std::uint16_t src_port = 0, dst_port = 0;
};

// Tracks the connection from the segments the peers send (origin "peer"; what
// the wire crafts is not the stacks' sequence space). A SYN that is not a
// retransmission of the direction's SYN starts a new connection: both
// directions start over (a reconnect after a server restart).
class TcpTracker {
 public:
  TcpPosition observe(Dir dir, const events::Datagram& d);
  const TcpDirectionState& state(Dir dir) const { return dirs_[dir == Dir::c2s ? 0 : 1]; }
  // The window `dir`'s sender advertised last, scaled (RFC 7323 2.3: only
  // when both SYNs carried WS; never in a SYN).
  std::uint64_t scaled_window(Dir dir) const;

 private:
  TcpDirectionState dirs_[2];
  bool last_was_syn_[2] = {false, false};
};

bool direction_includes(scenario::Direction rule_dir, Dir dir);

// `index` is the datagram's index among datagrams in the rule's direction(s);
// `tcp` its TCP position (ignored unless the match has tcp fields).
bool matches(const scenario::Match& m, const events::Datagram& d, std::uint64_t index, const TcpPosition& tcp = {});

}  // namespace wireproof::wire
