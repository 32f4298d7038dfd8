// The TCP connections of an L3 event log, sans-IO: per direction the ISN,
// relative sequence numbers, the reassembled byte stream, the ACK stream and
// a classification of every segment (new data, retransmission and its kind),
// from the log's TCP layers (events/ip_layers.hpp). The TCP checks
// (harness/checks/tcp/) judge from this and nothing else.
//
// What counts:
//  - origin "wire" segments (crafted by the harness) are kept apart
//    (`injected`), never taken as a peer's behaviour;
//  - what a sender SENT is every arrival at the wire, whatever its fate;
//  - what a receiver GOT is only `fate == forwarded`; the stream is built from
//    those (first copy wins), and an ACK reaches its sender at its first
//    delivery (deliveries_us, else t_us).
//
// Retransmission kinds (of a segment starting below the highest sequence
// number sent so far), decided from what the sender had RECEIVED since the
// previous transmission of that sequence number:
//  - fast: >= 3 duplicate ACKs (RFC 5681 3.2) that cover more than
//    `recover`, the snd_max before the sender's latest rto or fast
//    retransmission (RFC 6582 3.2: others start no fast retransmit), or a
//    SACK block above it (RFC 6675, RFC 8985 RACK: loss detected from ACK
//    information), sent less than min_rto_us after the latest ACK reached the
//    sender (later, no ACK can have sent it: the timer did);
//  - recovery: a resend the retransmission timer cannot have sent, because
//    a timer started by then would not have expired yet (RFC 6298: RTO is
//    never below the minimum, 2.4):
//    * an ACK that advanced snd_una arrived within min_rto_us before it (an
//      ACK-clocked resend during loss recovery, RFC 5681 4.3 / RFC 6582, or
//      after an RTO): an ACK of new data restarts the timer (RFC 6298 5.3);
//    * it follows the sender's last `rto` retransmission by less than
//      min_rto_us: an expiry resends one segment (5.4) and restarts the timer
//      (5.6), so the rest of the window resent after it (go-back-N, slow
//      start from snd_una) is recovery, not more expiries;
//    * (after the tlp test) it comes less than min_rto_us after its own
//      previous transmission: the sender acted on information it processed
//      later than the wire delivered it (a busy host works through ACKs
//      queued on a socket its application holds) or on an ICMP error;
//  - tlp: the first resend of the LAST segment sent since ACK progress, either
//    not at snd_una or sooner than min_rto_us after its previous
//    transmission: RFC 8985 7 probes the last segment, an RTO resends
//    snd_una (RFC 6298 5.4) no sooner than the minimum RTO. For a sender
//    known to probe (TcpStreamOptions::probing_senders) on a SACK connection
//    outside loss recovery, also at snd_una however late: Linux caps its
//    probe timeout at the RTO and, with one segment in flight, sets it to
//    2 SRTT + the minimum RTO, so its first timer resend there is the probe
//    (tcp_info after it: retransmits 0, total_retrans 1);
//  - rto: otherwise (the timer expired with no ACK information);
//  - spurious (a flag on any kind): the sender had already received an ACK
//    covering the segment's whole range.
// min_rto_us is Linux's 200 ms; a stack set below it (tcp_rto_min_us) needs
// TcpStreamOptions to say so.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::dissect {

enum class SegmentKind { ack_only, new_data, retransmission };
enum class RetransmissionKind { none, rto, fast, tlp, recovery };
const char* to_string(SegmentKind k);
const char* to_string(RetransmissionKind k);

struct TcpSegment {
  const events::Datagram* d = nullptr;   // d->tcp is set
  const events::TcpLayer& tcp() const { return *d->tcp; }
  std::uint64_t i() const { return d->i; }
  std::int64_t t_us() const { return d->t_us; }
  bool delivered = false;                // fate forwarded
  std::int64_t delivered_us = 0;         // first delivery (valid when delivered)
  // Its receiver got an RST: the sender's own, or one the wire's `rst` rule
  // made of the segment (tcp() keeps it as sent; `window` reads the RST's).
  bool reset_delivered = false;
  // Relative sequence space of this direction: first data byte 0, the SYN -1.
  std::int64_t seq = 0, end = 0;         // [seq, end) incl. SYN/FIN
  std::int64_t data_start = 0;           // seq, or seq + 1 for a SYN
  std::int64_t data_end() const { return data_start + static_cast<std::int64_t>(tcp().payload_length); }
  std::optional<std::int64_t> ack;       // in the PEER's relative space (ACK flag and peer ISN known)
  std::uint64_t window = 0;              // scaled by the sender's shift once both SYNs offered WS
  SegmentKind kind = SegmentKind::ack_only;
  RetransmissionKind rtx = RetransmissionKind::none;
  bool spurious = false;
  std::optional<std::size_t> previous;   // retransmission: index of the previous transmission of `seq`
  std::int64_t since_previous_us = 0;    // retransmission: t - previous transmission's t
  int dup_acks_seen = 0;                 // retransmission: duplicate ACKs received since the previous transmission
  bool sack_seen = false;                // retransmission: a SACK block above seq received since then
  std::optional<std::int64_t> ack_progress_us;  // retransmission: when the sender last saw snd_una advance
  // The sender's snd_max (end of the highest sequence number sent) before
  // this segment: RFC 6582's `recover` when it is an RTO or fast retransmission.
  std::int64_t snd_max_before = 0;
  // An ACK-only segment that its receiver took as a duplicate ACK: RFC 5681 2
  // defines one as the data sender receives it, so ACKs are taken in order of
  // delivery and one the link dropped is none (0): no data/SYN/FIN/RST, the
  // ack equal to the highest delivered so far, the window equal to the last
  // delivered one, data outstanding at its delivery. Its number in the run (1, 2, ...).
  int dup_ack_number = 0;
};

struct StreamMismatch { std::int64_t offset; std::uint64_t i, first_i; };

struct TcpDirection {
  explicit TcpDirection(std::string d) : dir(std::move(d)) {}
  std::string dir;                       // c2s | s2c (the sender's side)
  std::optional<std::uint32_t> isn;      // from its SYN; else the first segment's seq - 1
  bool isn_from_syn = false;
  std::optional<std::size_t> syn;        // index of its first SYN
  std::vector<TcpSegment> segments;      // what this side sent, in wire order
  std::vector<std::uint8_t> stream;      // delivered bytes, contiguous from 0
  std::int64_t highest_delivered = 0;    // end of the highest delivered data byte (> stream.size(): holes)
  std::int64_t missing = 0;              // bytes below highest_delivered never delivered
  std::vector<StreamMismatch> mismatches;// a resend carried other bytes than the first copy
  std::int64_t snd_max = 0;              // highest sequence number sent (end)
  std::optional<std::int64_t> fin_seq;   // relative seq of its FIN
  std::vector<std::size_t> rsts;         // indices of its RSTs
  int window_shift = 0;                  // applied to its advertised windows (0 unless both SYNs had WS)
};

// One connection: its ports, both directions, and the segments the harness injected.
struct TcpConnection {
  std::uint16_t client_port = 0, server_port = 0;
  TcpDirection c2s{"c2s"}, s2c{"s2c"};
  std::vector<const events::Datagram*> injected;  // origin wire TCP segments
  // ICMP errors quoting one of its segments (frag-needed / Packet Too Big),
  // each travelling towards the side whose packet it quotes.
  std::vector<const events::Datagram*> icmp;
  TcpDirection& dir(const std::string& d) { return d == "c2s" ? c2s : s2c; }
  const TcpDirection& dir(const std::string& d) const { return d == "c2s" ? c2s : s2c; }
  const TcpDirection& peer_of(const std::string& d) const { return d == "c2s" ? s2c : c2s; }
};

struct TcpStreamOptions {
  std::int64_t min_rto_us = 200000;      // Linux TCP_RTO_MIN; RFC 6298 2.4 allows a lower minimum than 1 s
  int dup_ack_threshold = 3;             // RFC 5681 DupThresh
  std::size_t max_stream_bytes = 64u << 20;  // reassembly bound (a wild sequence number is not buffered)
  // Directions ("c2s", "s2c") whose sender sends RFC 8985 tail loss probes
  // whenever SACK is on (Linux with net.ipv4.tcp_early_retrans 3 or 4). None
  // by default: a sender of unknown kind may have no probes at all.
  std::set<std::string> probing_senders;
};

// Every TCP connection in the log, in order of its first segment. A new SYN
// (no ACK) with another ISN on the same ports starts a new connection.
std::vector<TcpConnection> tcp_connections(const events::EventLog& log, const TcpStreamOptions& options = {});

// RFC 6582 3.2's `recover` for the sender of `d` before its segment `end`:
// the snd_max before the latest of its segments [0, end) that started loss
// recovery, `starts_recovery` (default: an rto or fast retransmission), and
// that segment's index; nullopt when none did (recover is then the ISN).
// Duplicate ACKs that do not cover more than it start no fast retransmit.
struct Recover {
  std::int64_t seq = 0;
  std::size_t index = 0;
};
bool is_rto_or_fast(const TcpSegment& s);
std::optional<Recover> recover_before(const TcpDirection& d, std::size_t end,
                                      const std::function<bool(const TcpSegment&)>& starts_recovery = is_rto_or_fast);

// When an ACK segment reached the side it was sent to (nullopt: never delivered).
std::optional<std::int64_t> delivered_at(const events::Datagram& d);

}  // namespace wireproof::dissect
