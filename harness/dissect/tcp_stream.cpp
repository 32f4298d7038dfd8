#include "harness/dissect/tcp_stream.hpp"

#include <algorithm>
#include <memory>

#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {

using events::Datagram;
using events::TcpLayer;
namespace f = events::tcp_flags;

const char* to_string(SegmentKind k) {
  switch (k) {
    case SegmentKind::ack_only: return "ack_only";
    case SegmentKind::new_data: return "new_data";
    case SegmentKind::retransmission: return "retransmission";
  }
  return "ack_only";
}

const char* to_string(RetransmissionKind k) {
  switch (k) {
    case RetransmissionKind::none: return "none";
    case RetransmissionKind::rto: return "rto";
    case RetransmissionKind::fast: return "fast";
    case RetransmissionKind::tlp: return "tlp";
    case RetransmissionKind::recovery: return "recovery";
  }
  return "none";
}

bool is_rto_or_fast(const TcpSegment& s) {
  return s.rtx == RetransmissionKind::rto || s.rtx == RetransmissionKind::fast;
}

std::optional<Recover> recover_before(const TcpDirection& d, std::size_t end,
                                      const std::function<bool(const TcpSegment&)>& starts_recovery) {
  for (std::size_t j = std::min(end, d.segments.size()); j-- > 0;) {
    const TcpSegment& s = d.segments[j];
    if (s.kind == SegmentKind::retransmission && starts_recovery(s)) return Recover{s.snd_max_before, j};
  }
  return std::nullopt;
}

std::optional<std::int64_t> delivered_at(const Datagram& d) {
  if (d.fate != "forwarded") return std::nullopt;
  return d.deliveries_us.empty() ? d.t_us : d.deliveries_us.front();
}

namespace {

// The flags and window the receiver of `d` saw: a `window` rule rewrites the
// window on the way, an `rst` rule the segment into an RST (the event keeps
// the segment as its stack sent it; `delivered` holds what left the wire),
// and the data sender may use only what it was offered.
struct DeliveredHeader {
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
};
DeliveredHeader header_as_delivered(const Datagram& d) {
  constexpr std::size_t kFlagsAt = 13;  // in the TCP header (RFC 9293 3.1), the window after them; a rewrite keeps the IP header
  for (const auto& bytes : d.delivered) {
    bytes::Reader r(bytes);
    DeliveredHeader h;
    if (!bytes.empty() && d.ip && r.skip(d.ip->header_length + kFlagsAt) && r.get_u8(h.flags) && r.get_u16(h.window))
      return h;
  }
  return {d.tcp->flags, d.tcp->window};
}

// 32-bit sequence numbers unwrapped onto a 64-bit line: each new value is
// taken as the nearest to the previous one (RFC 9293 3.4 modular arithmetic).
class Unwrapper {
 public:
  void anchor(std::uint32_t raw, std::int64_t rel) { raw_ = raw, rel_ = rel, anchored_ = true; }
  bool anchored() const { return anchored_; }
  std::int64_t operator()(std::uint32_t raw) {
    rel_ += static_cast<std::int32_t>(raw - raw_);
    raw_ = raw;
    return rel_;
  }
  // Relative value of `raw` near the last one, without moving the anchor.
  std::int64_t peek(std::uint32_t raw) const { return rel_ + static_cast<std::int32_t>(raw - raw_); }

 private:
  std::uint32_t raw_ = 0;
  std::int64_t rel_ = 0;
  bool anchored_ = false;
};

// Bytes at relative offsets, first copy kept.
class ByteSpace {
 public:
  explicit ByteSpace(std::size_t cap) : cap_(cap) {}
  // Stores [offset, offset + n); returns the first offset whose byte differs
  // from an earlier copy.
  std::optional<std::int64_t> put(std::int64_t offset, const std::uint8_t* p, std::size_t n) {
    std::optional<std::int64_t> mismatch;
    for (std::size_t k = 0; k < n; ++k) {
      const std::int64_t o = offset + static_cast<std::int64_t>(k);
      if (o < 0 || static_cast<std::size_t>(o) >= cap_) continue;
      const auto u = static_cast<std::size_t>(o);
      if (u >= bytes_.size()) bytes_.resize(u + 1), have_.resize(u + 1);
      if (have_[u]) {
        if (bytes_[u] != p[k] && !mismatch) mismatch = o;
        continue;
      }
      bytes_[u] = p[k];
      have_[u] = true;
    }
    return mismatch;
  }
  std::int64_t missing() const { return std::count(have_.begin(), have_.end(), false); }
  std::vector<std::uint8_t> contiguous_prefix() const {
    const auto hole = std::find(have_.begin(), have_.end(), false);
    return {bytes_.begin(), bytes_.begin() + (hole - have_.begin())};
  }

 private:
  std::size_t cap_;
  std::vector<std::uint8_t> bytes_;
  std::vector<bool> have_;
};

struct DirState {
  Unwrapper seq, ack;
  ByteSpace sent, delivered;
  std::map<std::int64_t, std::size_t> last_tx_by_start;  // latest transmission starting at each seq
  explicit DirState(std::size_t cap) : sent(cap), delivered(cap) {}
};

struct ConnState {
  TcpConnection conn;
  DirState c2s, s2c;
  explicit ConnState(std::size_t cap) : c2s(cap), s2c(cap) {}
  DirState& st(const std::string& d) { return d == "c2s" ? c2s : s2c; }
  bool both_syns_scale() const {
    return conn.c2s.syn && conn.s2c.syn && conn.c2s.segments[*conn.c2s.syn].tcp().window_scale &&
           conn.s2c.segments[*conn.s2c.syn].tcp().window_scale;
  }
  int shift_of(const TcpDirection& d) const {
    return both_syns_scale() ? std::min(14, *d.segments[*d.syn].tcp().window_scale) : 0;
  }
};

// The latest earlier transmission whose range covers `seq`.
std::optional<std::size_t> previous_covering(const TcpDirection& d, const DirState& st, std::int64_t seq) {
  std::optional<std::size_t> best;
  auto it = st.last_tx_by_start.upper_bound(seq);
  for (int scanned = 0; it != st.last_tx_by_start.begin() && scanned < 64; ++scanned) {
    --it;
    const TcpSegment& s = d.segments[it->second];
    if (s.end > seq && (!best || it->second > *best)) best = it->second;
  }
  return best;
}

// What the sender of segment `k` had received from its peer, between its
// previous transmission of the same data and then, and the retransmission
// kind that follows (tcp_stream.hpp). Segments before `k` are classified.
void classify_retransmission(TcpDirection& self, std::size_t k, const TcpDirection& peer, const TcpStreamOptions& o) {
  TcpSegment& seg = self.segments[k];
  const std::int64_t t = seg.t_us();
  const std::int64_t tp = seg.previous ? self.segments[*seg.previous].t_us() : t;
  seg.since_previous_us = t - tp;
  std::int64_t highest_ack = -2, last_progress_us = -1;  // last_progress_us: when snd_una last advanced
  std::int64_t last_ack_us = -1;                           // when the latest ACK of any kind reached the sender
  // When an ACK reopened a zero window after the previous transmission: a
  // send right after it is the window update's doing (RFC 9293 3.8.6.1: the
  // probing ends), not a timeout, whatever the previous copy (a probe byte).
  std::int64_t window_opened_us = -1;
  bool window_was_zero = false;
  // Duplicates that do not cover more than `recover` start no fast
  // retransmit, so a lost fast retransmission is the timer's to repair.
  const std::optional<Recover> recover = recover_before(self, k);
  // Peer ACKs in the order the peer sent them; an ACK counts from its delivery.
  for (const TcpSegment& a : peer.segments) {
    if (!a.ack) continue;
    const auto at = delivered_at(*a.d);
    if (!at || *at > t) continue;
    last_ack_us = std::max(last_ack_us, *at);
    if (*a.ack > highest_ack) highest_ack = *a.ack, last_progress_us = std::max(last_progress_us, *at);
    if (window_was_zero && a.window > 0 && *at > tp) window_opened_us = *at;
    window_was_zero = a.window == 0;
    if (*at <= tp) continue;
    if (a.dup_ack_number > 0 && *a.ack <= seg.seq && (!recover || *a.ack > recover->seq)) ++seg.dup_acks_seen;
    for (const auto& [left, right] : a.tcp().sack) {
      (void)right;
      if (*a.ack + static_cast<std::int32_t>(left - a.tcp().ack) > seg.seq) seg.sack_seen = true;
    }
  }
  seg.spurious = highest_ack >= seg.end;
  if (last_progress_us >= 0) seg.ack_progress_us = last_progress_us;
  // Was anything of this side retransmitted since the last ACK progress, and
  // did an RTO retransmission leave less than min_rto_us ago?
  bool retransmitted_since_progress = false, soon_after_rto = false;
  for (std::size_t j = k; j-- > 0;) {
    const TcpSegment& e = self.segments[j];
    if (e.t_us() < last_progress_us && e.t_us() <= t - o.min_rto_us) break;
    if (e.kind != SegmentKind::retransmission) continue;
    if (e.t_us() >= last_progress_us) retransmitted_since_progress = true;
    if (e.rtx == RetransmissionKind::rto && t - e.t_us() < o.min_rto_us) soon_after_rto = true;
  }
  const std::int64_t snd_una = std::max<std::int64_t>(highest_ack, -1);
  const bool ack_clocked = (last_progress_us >= 0 && last_progress_us > tp && t - last_progress_us < o.min_rto_us) ||
                           (window_opened_us >= 0 && t - window_opened_us < o.min_rto_us);
  // Loss detected from ACKs is repaired when an ACK arrives (RACK's reorder
  // timer waits a fraction of an RTT): a resend min_rto_us or more after the
  // last ACK reached the sender was not sent on an ACK, whatever the ACKs
  // before said (mtu-shrinks-below-min-pmtu linux -> lwip: 94 duplicate ACKs,
  // then the resend 200.1 ms after the last one, the RTO run from the ACK before).
  const bool on_an_ack = last_ack_us >= 0 && t - last_ack_us < o.min_rto_us;
  // A known prober probes the tail at snd_una too, a full RTO late (the
  // header): only with SACK on both SYNs and outside loss recovery (RFC 6582
  // `recover` still above snd_una), as Linux's tcp_schedule_loss_probe.
  const bool sack_on = self.syn && peer.syn && self.segments[*self.syn].tcp().sack_permitted &&
                       peer.segments[*peer.syn].tcp().sack_permitted;
  const bool probes_at_una = o.probing_senders.count(self.dir) > 0 && sack_on && !(recover && recover->seq > snd_una);
  using K = RetransmissionKind;
  if ((seg.dup_acks_seen >= o.dup_ack_threshold || seg.sack_seen) && on_an_ack) seg.rtx = K::fast;
  else if (ack_clocked || soon_after_rto) seg.rtx = K::recovery;
  else if (seg.end >= seg.snd_max_before && !retransmitted_since_progress &&
           (seg.seq > snd_una || seg.since_previous_us < o.min_rto_us || probes_at_una) && seg.seq >= 0)
    seg.rtx = K::tlp;
  else if (seg.since_previous_us < o.min_rto_us) seg.rtx = K::recovery;
  else seg.rtx = K::rto;
}

// RFC 5681 2 "DUPLICATE ACKNOWLEDGMENT", judged where the data sender
// receives the ACKs of `acks` (the peer of `data`): in order of delivery.
void number_duplicate_acks(TcpDirection& acks, const TcpDirection& data) {
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < acks.segments.size(); ++k)
    if (acks.segments[k].ack && acks.segments[k].delivered && !acks.segments[k].tcp().has(f::rst)) order.push_back(k);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return acks.segments[a].delivered_us < acks.segments[b].delivered_us;
  });
  std::optional<std::int64_t> highest;  // TCP.UNA as the data sender knows it
  std::uint64_t last_window = 0;
  std::int64_t snd_max = 0;             // what the data sender had sent by then
  std::size_t sent = 0;
  int run = 0;
  for (std::size_t k : order) {
    TcpSegment& a = acks.segments[k];
    for (; sent < data.segments.size() && data.segments[sent].t_us() <= a.delivered_us; ++sent)
      snd_max = std::max(snd_max, data.segments[sent].end);
    const TcpLayer& tcp = a.tcp();
    const bool pure = tcp.payload_length == 0 && !tcp.has(f::syn) && !tcp.has(f::fin);
    const bool dup = pure && highest && *a.ack == *highest && a.window == last_window && snd_max > *a.ack;
    run = dup ? run + 1 : 0;
    a.dup_ack_number = run;
    highest = std::max(highest.value_or(*a.ack), *a.ack);
    last_window = a.window;
  }
}

void add_segment(ConnState& cs, const Datagram& d) {
  const TcpLayer& tcp = *d.tcp;
  TcpConnection& c = cs.conn;
  TcpDirection& self = c.dir(d.dir);
  const TcpDirection& peer = c.peer_of(d.dir);
  DirState& st = cs.st(d.dir);
  const bool syn = tcp.has(f::syn);
  if (!self.isn) {
    self.isn = syn ? tcp.seq : tcp.seq - 1;
    self.isn_from_syn = syn;
    st.seq.anchor(*self.isn + 1, 0);
  }
  TcpSegment seg;
  seg.d = &d;
  const auto at = delivered_at(d);
  seg.delivered = at.has_value();
  seg.delivered_us = at.value_or(0);
  seg.seq = st.seq(tcp.seq);
  seg.end = seg.seq + tcp.seq_length();
  seg.data_start = seg.seq + (syn ? 1 : 0);
  if (tcp.has(f::ack) && peer.isn) {
    if (!st.ack.anchored()) st.ack.anchor(*peer.isn + 1, 0);
    seg.ack = st.ack(tcp.ack);
  }
  const std::size_t index = self.segments.size();
  if (syn && !self.syn) self.syn = index;
  const DeliveredHeader got = header_as_delivered(d);
  const std::uint16_t window = got.window;
  seg.reset_delivered = seg.delivered && (got.flags & f::rst) != 0;
  seg.window = syn ? window : static_cast<std::uint64_t>(window) << cs.shift_of(self);
  if (!syn) self.window_shift = cs.shift_of(self);

  if (tcp.seq_length() == 0) seg.kind = SegmentKind::ack_only;
  else if (seg.seq >= self.snd_max) seg.kind = SegmentKind::new_data;
  else seg.kind = SegmentKind::retransmission;
  if (seg.kind == SegmentKind::retransmission) seg.previous = previous_covering(self, st, seg.seq);
  seg.snd_max_before = self.snd_max;

  if (tcp.has(f::fin) && !self.fin_seq) self.fin_seq = seg.data_end();
  if (tcp.has(f::rst)) self.rsts.push_back(index);
  const std::size_t n = std::min(d.payload.size(), tcp.payload_length);
  if (n > 0) {
    if (auto m = st.sent.put(seg.data_start, d.payload.data(), n)) {
      auto first = previous_covering(self, st, *m);
      self.mismatches.push_back({*m, d.i, first ? self.segments[*first].i() : d.i});
    }
    if (seg.delivered) {
      st.delivered.put(seg.data_start, d.payload.data(), n);
      self.highest_delivered = std::max(self.highest_delivered, seg.data_end());
    }
  }
  if (tcp.seq_length() > 0) st.last_tx_by_start[seg.seq] = index;
  self.snd_max = std::max(self.snd_max, seg.end);
  self.segments.push_back(seg);
}

}  // namespace

std::vector<TcpConnection> tcp_connections(const events::EventLog& log, const TcpStreamOptions& options) {
  std::vector<std::unique_ptr<ConnState>> states;
  const auto find = [&](std::uint16_t cport, std::uint16_t sport) -> ConnState* {
    for (auto it = states.rbegin(); it != states.rend(); ++it)
      if ((*it)->conn.client_port == cport && (*it)->conn.server_port == sport) return it->get();
    return nullptr;
  };
  for (const Datagram* d : log.datagrams()) {
    if (d->icmp && d->icmp->quoted_protocol == 6 && d->icmp->quoted_src_port && d->icmp->quoted_dst_port) {
      // Towards the client (s2c) it quotes a c2s packet: src = the client's port.
      const bool to_client = d->dir == "s2c";
      const auto q_src = *d->icmp->quoted_src_port, q_dst = *d->icmp->quoted_dst_port;
      if (ConnState* cs = to_client ? find(q_src, q_dst) : find(q_dst, q_src)) cs->conn.icmp.push_back(d);
      continue;
    }
    if (!d->tcp) continue;
    const bool c2s = d->dir == "c2s";
    const std::uint16_t cport = c2s ? d->tcp->src_port : d->tcp->dst_port;
    const std::uint16_t sport = c2s ? d->tcp->dst_port : d->tcp->src_port;
    ConnState* cs = find(cport, sport);
    if (d->origin == "wire") {
      if (cs) cs->conn.injected.push_back(d);
      continue;
    }
    const bool fresh_syn = c2s && d->tcp->has(f::syn) && !d->tcp->has(f::ack);
    if (!cs || (fresh_syn && cs->conn.c2s.isn && *cs->conn.c2s.isn != d->tcp->seq)) {
      states.push_back(std::make_unique<ConnState>(options.max_stream_bytes));
      cs = states.back().get();
      cs->conn.client_port = cport;
      cs->conn.server_port = sport;
    }
    add_segment(*cs, *d);
  }
  std::vector<TcpConnection> out;
  for (auto& s : states) {
    // Retransmissions are classified once every ACK is known: duplicates
    // are numbered in order of delivery, which the log's order is not.
    TcpConnection& c = s->conn;
    number_duplicate_acks(c.s2c, c.c2s);
    number_duplicate_acks(c.c2s, c.s2c);
    for (TcpDirection* d : {&c.c2s, &c.s2c})
      for (std::size_t k = 0; k < d->segments.size(); ++k)
        if (d->segments[k].kind == SegmentKind::retransmission) classify_retransmission(*d, k, c.peer_of(d->dir), options);
    s->conn.c2s.stream = s->c2s.delivered.contiguous_prefix();
    s->conn.s2c.stream = s->s2c.delivered.contiguous_prefix();
    s->conn.c2s.missing = s->c2s.delivered.missing();
    s->conn.s2c.missing = s->s2c.delivered.missing();
    out.push_back(std::move(s->conn));
  }
  return out;
}

}  // namespace wireproof::dissect
