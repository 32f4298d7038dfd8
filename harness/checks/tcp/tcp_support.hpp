// What every TCP check needs besides tcp_stream: the connections of a run,
// the sender's role for a direction, the peers' repeated events (tcp_info),
// the tolerance rule, and the window a sender had been offered.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/checks/check.hpp"
#include "harness/checks/support/peer_reports.hpp"
#include "harness/dissect/tcp_stream.hpp"
#include "harness/scenario/protocol.hpp"

namespace wireproof::checks::tcp {

inline const char* const kDirs[] = {"c2s", "s2c"};
// Check::protocols() of a TCP check: every protocol whose connections are TCP
// connections (plain tcp and TLS over TCP; scenario/protocol.hpp).
inline std::vector<std::string> over_tcp() { return scenario::tcp_carried_protocols(); }
// A check that judges the application's bytes on the wire, which TLS encrypts
// (scenario/names.hpp kPlainTcpOnlyCheckNames).
inline std::vector<std::string> plain_tcp_only() { return {"tcp"}; }

// The role that sends in `dir`: c2s -> client.
inline std::string sender_role(const std::string& dir) { return dir == "c2s" ? "client" : "server"; }
// The other direction: c2s -> s2c (the direction the peer of `dir`'s sender sends in).
inline std::string peer_dir(const std::string& dir) { return dir == "c2s" ? "s2c" : "c2s"; }
// The role that receives in `dir`: c2s -> server.
inline std::string receiver_role(const std::string& dir) { return sender_role(peer_dir(dir)); }

double ms(std::int64_t us);          // microseconds to ms, rounded to 0.001
std::int64_t us(double ms);          // ms (a parameter) to microseconds, rounded
std::string seconds_text(double ms);  // 1000 -> "1.0", 250 -> "0.250"

// The run's TCP connections (dissect::tcp_connections of the log), dissected
// once per judging: the first call fills in.tcp_connections_cache, later ones
// return the same object. A side that probes_tail is a probing sender.
const std::vector<dissect::TcpConnection>& connections(const Inputs& in);

// Every event named `name` that `role` reported, in order, with its log
// index and wire time when the log holds it.
struct TimedReport {
  nlohmann::json event;
  std::optional<std::uint64_t> i;
  std::optional<std::int64_t> t_us;
};
std::vector<TimedReport> peer_events(const Inputs& in, const std::string& role, const std::string& name);

// The first report by `role` that its connection was reset (an `error` with
// errno ECONNRESET, or `closed` with reason rst) at or after from_us. A report
// the log holds no time for counts as after anything.
std::optional<TimedReport> reset_report(const Inputs& in, const std::string& role,
                                        std::int64_t from_us = std::numeric_limits<std::int64_t>::min());

// When `c` was reset: the first delivery of an RST either way (a side's own,
// or a segment the wire's rst rule made one of: TcpSegment::reset_delivered),
// and that segment; nullopt when none arrived. The connection is then CLOSED
// (RFC 9293 3.10.7): neither side owes the other a segment after it.
struct Reset {
  std::int64_t at_us = 0;
  const dissect::TcpSegment* rst = nullptr;
};
std::optional<Reset> reset_at(const dissect::TcpConnection& c);

// max(tolerance_ms, tolerance_pct % of expected).
struct Tolerance {
  double ms = 15, pct = 10;
  double for_expected(double expected_ms) const;
  bool fits(double measured_ms, double expected_ms) const;
};

// An exponential back-off: the k-th interval (k = 0, 1, ...) is
// initial x 2^k, capped; above the cap anything from the cap to the uncapped
// value fits (RFC 6298 2.5: the maximum "is at least 60 seconds").
// With late_fraction L (a timer that fires up to L x its timeout late, never
// early: kKernelTimerLateness), an `initial` that was itself measured holds
// that lateness too, so initial x 2^k / (1 + L) .. initial x 2^k x (1 + L)
// fits, each end widened by the tolerance.
struct Doubling {
  double initial_ms = 1000, cap_ms = 60000;
  Tolerance tolerance;
  double late_fraction = 0;
  double expected_ms(int k) const;
  bool fits(double measured_ms, int k) const;
};
// How late a Linux timer may fire, as a fraction of its timeout: the timer
// wheel (kernel/time/timer.c) files a timeout of level n (from 63 x 8^(n-1)
// jiffies) in buckets 8^n jiffies wide and rounds its expiry up to one, so up
// to 8/63 late. The TCP retransmission timer is such a timer: at HZ 250 a
// 2048 ms RTO lands in 256 ms buckets (mtu-black-hole linux-rfc: 2271.9 ms
// after a 1016.9 ms interval, then 4096.0 ms).
inline constexpr double kKernelTimerLateness = 8.0 / 63.0;

// expect.checks.<name> tolerance_ms / tolerance_pct, defaulting to the
// scenario's expect.retransmit_* (15 ms, 10 %).
Tolerance tolerance_from(const Inputs& in, const nlohmann::json& params);

// The right edge of the receive window (ack + scaled window, in the sequence
// space of `dir`) that the sender of `dir` had been offered by a time: the
// highest among the peer's segments delivered by then (RFC 9293 3.8.6: the
// edge must not shrink, so the highest is what the sender may use).
class OfferedWindow {
 public:
  OfferedWindow(const dissect::TcpConnection& c, const std::string& dir);
  std::optional<std::int64_t> right_edge_at(std::int64_t t_us) const;  // nullopt: nothing had arrived

 private:
  std::vector<std::pair<std::int64_t, std::int64_t>> edges_;  // (delivered_us, highest edge so far), by time
};

// Where the retransmission timer behind the RTO retransmission `k` of `d`
// was last (re)started, per RFC 6298 5.1/5.3 and RFC 8985 7.3: the later of
// its previous transmission, the last ACK that advanced snd_una, and, for a
// sender that sends tail loss probes, the end of a probe sent after those (a
// probe re-arms the RTO; see the .cpp for how a probe is told from a burst
// of new data, which does not).
struct TimerStart {
  std::int64_t t_us;
  const char* why;  // "previous transmission" | "ACK advancing snd_una" | "a tail loss probe ..."
};
TimerStart rto_timer_start(const dissect::TcpDirection& d, std::size_t k, bool sends_probes = true);

// Whether `role`'s stack sends tail loss probes (RFC 8985 7): false only
// when net.ipv4.tcp_early_retrans in force is below 3 (Linux: 3 and 4 turn
// TLP on; linux-rfc sets 0); true when unknown (Linux's default is 3).
bool sends_tail_loss_probes(const Inputs& in, const std::string& role);
// Whether `role` is known to send them: its TCP is a namespace kernel's (a
// TUN side) and sends_tail_loss_probes. Tells dissect/tcp_stream which
// sender's resend at snd_una may be a probe (handshake-timeout openssl ->
// openssl: a probe 210.8 ms after the lost flight, the RTO 208.0 ms later).
bool probes_tail(const Inputs& in, const std::string& role);

// Whether an ICMP frag-needed / Packet Too Big reached the sender of `dir`
// in (from_us, to_us]: a resend then answers the ICMP (RFC 1191 / 8201), it is
// not the retransmission timer's.
bool icmp_reached_sender(const dissect::TcpConnection& c, const std::string& dir, std::int64_t from_us,
                         std::int64_t to_us);
// Whether the retransmission `s` of `dir` answers an ICMP (RFC 1191 6.5): one
// reached its sender after the previous copy left, or within the minimum RTO
// before `s` (Linux re-segments its queue at the new size at once, so a copy
// sent just after the ICMP can be resent too: mtu-shrinks-with-icmp, 1152
// bytes resent 0.9 ms after a 1224-byte copy; no timer expires sooner).
bool answers_icmp(const dissect::TcpConnection& c, const std::string& dir, const dissect::TcpSegment& s);

// A frag-needed / Packet Too Big from the wire about the packets of the
// sender of `dir`, delivered to it, and the path MTU it should then use.
struct PmtuMessage {
  const events::Datagram* d = nullptr;
  std::int64_t delivered_us = 0;
  int mtu = 0;        // the next-hop MTU it carries
  int expected = 0;   // mtu, or min_pmtu for an IPv4 mtu below it (Linux clamps to net.ipv4.route.min_pmtu and locks it)
  std::string note;   // why expected != mtu ("" when equal)
};
// In order of delivery. min_pmtu 0: no clamp. An IPv6 Packet Too Big below
// the IPv6 minimum MTU 1280 is left out (RFC 8201 4: the node discards it).
std::vector<PmtuMessage> pmtu_messages(const dissect::TcpConnection& c, const std::string& dir, int min_pmtu);

// What the harness set up for a side (Inputs::topology): whether its TCP is
// the namespace kernel's (a TUN device) or a user-space stack's (a packet
// socket), and its kernel release. Unknown without a topology.
struct SideSetup {
  bool known = false;
  bool kernel_tcp = false;
  std::string kernel;
};
SideSetup side_setup(const Inputs& in, const std::string& role);

// A sysctl in force in a side's namespace ("net.ipv4.tcp_mtu_probing"): as
// the topology read it back, else as the scenario's peers.<side>.sysctls set
// it; nullopt when neither says.
std::optional<std::string> sysctl_in_force(const Inputs& in, const std::string& role, const std::string& name);

// RCV.NXT at the receiver of `d` in d's relative sequence space: the end of
// the sequence space (SYN and FIN included) contiguously covered by d's
// segments that `got` says reached it; -1 when not even the SYN did.
std::int64_t received_through(const dissect::TcpDirection& d,
                              const std::function<bool(const dissect::TcpSegment&)>& got);

// The SHA-256 (hex) of a direction's stream as the wire delivered it, and of
// it without the byte at `urgent_at` (the in-band stream of a receiver that
// read that urgent byte out of band, RFC 9293 3.8.2; nullopt when urgent_at is
// not inside the stream). The truth tcp_data_intact and urgent_data judge the
// peers' reported digests against.
struct WireDigests {
  std::string whole;
  std::optional<std::string> inband;
};
WireDigests wire_digests(const std::vector<std::uint8_t>& stream, std::optional<std::size_t> urgent_at = std::nullopt);

}  // namespace wireproof::checks::tcp
