#include "harness/wire/match.hpp"

#include <algorithm>

namespace wireproof::wire {

namespace {

// a is before b in sequence space (RFC 9293 3.4: arithmetic mod 2^32).
bool seq_before(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }

bool matches_tcp(const scenario::TcpMatch& m, const events::Datagram& d, const TcpPosition& pos) {
  if (!d.tcp) return false;
  const events::TcpLayer& seg = *d.tcp;
  if ((seg.flags & m.flags) != m.flags) return false;
  if (seg.flags & m.not_flags) return false;
  const bool has_data = seg.payload_length > 0;
  if (m.data && has_data != *m.data) return false;
  if ((m.seq_rel_min || m.seq_rel_max || m.covers_seq_rel) && !pos.seq_rel) return false;
  if (!pos.seq_rel) return !m.nth_data && !m.retransmission;  // joined mid-connection: nothing relative is known
  if (m.seq_rel_min && *pos.seq_rel < *m.seq_rel_min) return false;
  if (m.seq_rel_max && *pos.seq_rel > *m.seq_rel_max) return false;
  // The segment's data bytes are [start, start + length) (after the SYN's
  // sequence number, if any); unsigned wrap keeps the test in sequence space.
  const std::uint32_t data_start = *pos.seq_rel + (seg.has(events::tcp_flags::syn) ? 1u : 0u);
  if (m.covers_seq_rel && !(has_data && *m.covers_seq_rel - data_start < seg.payload_length)) return false;
  if (m.nth_data && pos.nth_data != m.nth_data) return false;
  if (m.retransmission && pos.retransmission != *m.retransmission) return false;
  return true;
}

}  // namespace

TcpPosition TcpTracker::observe(Dir dir, const events::Datagram& d) {
  if (!d.tcp || d.origin != "peer") return {};
  const events::TcpLayer& seg = *d.tcp;
  const int i = dir == Dir::c2s ? 0 : 1;
  TcpDirectionState* s = &dirs_[i];
  const bool syn = seg.has(events::tcp_flags::syn);
  if (syn && !(s->syn_seen && seg.seq == s->isn)) {
    // A new connection: a SYN from the client starts both directions over;
    // the SYN-ACK starts its own direction.
    if (!seg.has(events::tcp_flags::ack)) dirs_[0] = dirs_[1] = TcpDirectionState{};
    *s = TcpDirectionState{};
    s->syn_seen = true;
    s->isn = seg.seq;
    s->snd_nxt = seg.seq;
    s->syn_window_scale = seg.window_scale;
  }
  if (d.ip) {
    s->ip_version = d.ip->version;
    s->src = d.ip->src;
    s->dst = d.ip->dst;
  }
  s->src_port = seg.src_port;
  s->dst_port = seg.dst_port;
  s->window = seg.window;
  last_was_syn_[i] = syn;

  TcpPosition pos;
  if (!s->syn_seen) return pos;  // joined mid-connection: no ISN to count from
  pos.seq_rel = seg.seq - s->isn;
  const std::uint32_t length = seg.seq_length();
  if (length == 0) return pos;  // pure ACKs, keepalive and zero-window probes occupy no sequence space
  pos.retransmission = seq_before(seg.seq, s->snd_nxt);
  const std::uint32_t end = seg.seq + length;
  if (seq_before(s->snd_nxt, end)) s->snd_nxt = end;
  if (seg.payload_length > 0 && !pos.retransmission) pos.nth_data = ++s->data_segments;
  return pos;
}

std::uint64_t TcpTracker::scaled_window(Dir dir) const {
  const int i = dir == Dir::c2s ? 0 : 1;
  const TcpDirectionState& s = dirs_[i];
  const TcpDirectionState& other = dirs_[1 - i];
  const bool scaled = s.syn_window_scale && other.syn_window_scale && !last_was_syn_[i];
  return static_cast<std::uint64_t>(s.window) << (scaled ? std::min(*s.syn_window_scale, 14) : 0);
}

bool direction_includes(scenario::Direction rule_dir, Dir dir) {
  switch (rule_dir) {
    case scenario::Direction::both: return true;
    case scenario::Direction::c2s: return dir == Dir::c2s;
    case scenario::Direction::s2c: return dir == Dir::s2c;
  }
  return false;
}

bool matches(const scenario::Match& m, const events::Datagram& d, std::uint64_t index, const TcpPosition& tcp) {
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
  if (m.tcp && !matches_tcp(*m.tcp, d, tcp)) return false;
  return true;
}

}  // namespace wireproof::wire
