#include "harness/checks/tcp/tcp_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "harness/checks/support/params.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::checks::tcp {

double ms(std::int64_t us) { return std::round(static_cast<double>(us)) / 1000.0; }
std::int64_t us(double ms) { return std::llround(ms * 1000.0); }

std::string seconds_text(double ms) { return ms >= 1000 ? fmt::format("{:.1f}", ms / 1000) : fmt::format("{:.3f}", ms / 1000); }

const std::vector<dissect::TcpConnection>& connections(const Inputs& in) {
  // Every TCP check judges the same log: dissecting it once per check was most of their time.
  if (!in.tcp_connections_cache) {
    dissect::TcpStreamOptions options;
    for (const char* dir : kDirs)
      if (probes_tail(in, sender_role(dir))) options.probing_senders.insert(dir);
    in.tcp_connections_cache =
        std::make_shared<const std::vector<dissect::TcpConnection>>(dissect::tcp_connections(in.log, options));
  }
  return *in.tcp_connections_cache;
}

static bool named(const nlohmann::json& e, const std::string& name) {
  return e.is_object() && e.value("event", "") == name;
}

std::vector<TimedReport> peer_events(const Inputs& in, const std::string& role, const std::string& name) {
  std::vector<TimedReport> from_log;
  for (const auto* p : in.log.peer_events())
    if (p->role == role && named(p->event, name)) from_log.push_back({p->event, p->i, p->t_us});
  // The runner's outcome is authoritative; the log's copies give i and time (same order).
  const PeerOutcome& outcome = role == "client" ? in.client : in.server;
  std::vector<TimedReport> out;
  for (const auto& e : outcome.events) {
    if (!named(e, name)) continue;
    const std::size_t k = out.size();
    out.push_back(k < from_log.size() ? TimedReport{e, from_log[k].i, from_log[k].t_us} : TimedReport{e, {}, {}});
  }
  return out.empty() ? from_log : out;
}

std::optional<TimedReport> reset_report(const Inputs& in, const std::string& role, std::int64_t from_us) {
  std::optional<TimedReport> first;
  const auto consider = [&](const TimedReport& e) {
    const std::int64_t t = e.t_us.value_or(std::numeric_limits<std::int64_t>::max());
    if (t < from_us) return;
    if (!first || t < first->t_us.value_or(std::numeric_limits<std::int64_t>::max())) first = e;
  };
  for (const auto& e : peer_events(in, role, "error"))
    if (e.event.value("errno", "") == "ECONNRESET") consider(e);
  for (const auto& e : peer_events(in, role, "closed"))
    if (e.event.value("reason", "") == "rst") consider(e);
  return first;
}

std::optional<Reset> reset_at(const dissect::TcpConnection& c) {
  std::optional<Reset> first;
  for (const auto* d : {&c.c2s, &c.s2c})
    for (const auto& s : d->segments)
      if (s.reset_delivered && (!first || s.delivered_us < first->at_us)) first = Reset{s.delivered_us, &s};
  return first;
}

double Tolerance::for_expected(double expected_ms) const { return std::max(ms, pct / 100.0 * expected_ms); }
bool Tolerance::fits(double measured_ms, double expected_ms) const {
  return std::fabs(measured_ms - expected_ms) <= for_expected(expected_ms);
}

double Doubling::expected_ms(int k) const { return std::min(cap_ms, initial_ms * std::pow(2.0, k)); }
bool Doubling::fits(double measured_ms, int k) const {
  const double uncapped = initial_ms * std::pow(2.0, k);
  if (late_fraction > 0 && uncapped <= cap_ms) {
    const double earliest = uncapped / (1 + late_fraction), latest = uncapped * (1 + late_fraction);
    return measured_ms >= earliest - tolerance.for_expected(earliest) &&
           measured_ms <= latest + tolerance.for_expected(latest);
  }
  if (uncapped <= cap_ms) return tolerance.fits(measured_ms, uncapped);
  return measured_ms >= cap_ms - tolerance.for_expected(cap_ms) && measured_ms <= uncapped + tolerance.for_expected(uncapped);
}

Tolerance tolerance_from(const Inputs& in, const nlohmann::json& params) {
  return {support::number_param(params, "tolerance_ms", in.scenario.expect.retransmit_tolerance_ms),
          support::number_param(params, "tolerance_pct", in.scenario.expect.retransmit_tolerance_pct)};
}

OfferedWindow::OfferedWindow(const dissect::TcpConnection& c, const std::string& dir) {
  for (const auto& s : c.peer_of(dir).segments)
    if (s.ack && s.delivered && !s.tcp().has(events::tcp_flags::rst))
      edges_.emplace_back(s.delivered_us, *s.ack + static_cast<std::int64_t>(s.window));
  std::sort(edges_.begin(), edges_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t k = 1; k < edges_.size(); ++k) edges_[k].second = std::max(edges_[k].second, edges_[k - 1].second);
}

std::optional<std::int64_t> OfferedWindow::right_edge_at(std::int64_t t_us) const {
  auto it = std::upper_bound(edges_.begin(), edges_.end(), t_us, [](std::int64_t t, const auto& e) { return t < e.first; });
  if (it == edges_.begin()) return std::nullopt;
  return std::prev(it)->second;
}

TimerStart rto_timer_start(const dissect::TcpDirection& d, std::size_t k, bool sends_probes) {
  const auto& s = d.segments[k];
  TimerStart start{s.previous ? d.segments[*s.previous].t_us() : s.t_us(), "previous transmission"};
  if (s.ack_progress_us && *s.ack_progress_us > start.t_us) start = {*s.ack_progress_us, "ACK advancing snd_una"};
  if (!sends_probes) return start;
  // The sender's last data transmission before `s`, when it ends a probe: a
  // TLP retransmission, or data sent after a silence of at least the
  // smallest probe timeout (RFC 8985 7.2: 10 ms) with no ACK progress since:
  // one segment, or a burst (the application wrote again while the probe
  // timer ran; Linux re-arms it with each new segment, and the RTO after it:
  // mtu-black-hole linux -> linux, RTO 204 ms reported, came 207.9, 204.0
  // and 223.6 ms after such a burst ended, 25-30 ms after the loss).
  // New data sent in a burst with the loss, no silence between, does not
  // restart a running timer (RFC 6298 5.1).
  constexpr std::int64_t kMinProbeGapUs = 10000;
  const auto previous_data = [&](std::size_t from) -> std::optional<std::size_t> {
    for (std::size_t j = from; j-- > 0;)
      if (d.segments[j].tcp().payload_length > 0) return j;
    return std::nullopt;
  };
  const auto last = previous_data(k);
  if (!last || d.segments[*last].t_us() <= start.t_us) return start;
  const auto& e = d.segments[*last];
  // The first segment of the burst `e` ends, and whether a silence came before it.
  std::size_t first = *last;
  bool silence_before = false;
  while (const auto j = previous_data(first)) {
    if (d.segments[first].t_us() - d.segments[*j].t_us() >= kMinProbeGapUs) {
      silence_before = true;
      break;
    }
    first = *j;
  }
  const bool probe = e.rtx == dissect::RetransmissionKind::tlp || (silence_before && d.segments[first].t_us() > start.t_us);
  if (probe) start = {e.t_us(), "a tail loss probe (RFC 8985 7.3 re-arms the RTO)"};
  return start;
}

bool sends_tail_loss_probes(const Inputs& in, const std::string& role) {
  const auto v = sysctl_in_force(in, role, "net.ipv4.tcp_early_retrans");
  return !v || std::atoi(v->c_str()) >= 3;
}

bool probes_tail(const Inputs& in, const std::string& role) {
  return side_setup(in, role).kernel_tcp && sends_tail_loss_probes(in, role);
}

bool icmp_reached_sender(const dissect::TcpConnection& c, const std::string& dir, std::int64_t from_us,
                         std::int64_t to_us) {
  for (const auto* d : c.icmp) {
    if (d->dir == dir) continue;  // it travels towards the sender of `dir`
    const auto at = dissect::delivered_at(*d);
    if (at && *at > from_us && *at <= to_us) return true;
  }
  return false;
}

bool answers_icmp(const dissect::TcpConnection& c, const std::string& dir, const dissect::TcpSegment& s) {
  if (!s.previous) return false;
  const std::int64_t previous_t = c.dir(dir).segments[*s.previous].t_us();
  const std::int64_t wake = std::min(previous_t, s.t_us() - dissect::TcpStreamOptions{}.min_rto_us);
  return icmp_reached_sender(c, dir, wake, s.t_us());
}

std::vector<PmtuMessage> pmtu_messages(const dissect::TcpConnection& c, const std::string& dir, int min_pmtu) {
  constexpr int kIpv6MinMtu = 1280;  // RFC 8200 5
  std::vector<PmtuMessage> out;
  for (const auto* d : c.icmp) {
    if (d->dir == dir) continue;  // it travels towards the sender of `dir`
    if (!d->icmp->mtu || !(d->icmp->is_frag_needed() || d->icmp->is_packet_too_big())) continue;
    const auto at = dissect::delivered_at(*d);
    if (!at) continue;
    PmtuMessage m{d, *at, static_cast<int>(*d->icmp->mtu), static_cast<int>(*d->icmp->mtu), ""};
    if (d->icmp->v6 && m.mtu < kIpv6MinMtu) continue;
    if (!d->icmp->v6 && m.mtu < min_pmtu) {
      m.expected = min_pmtu;
      m.note = fmt::format("ICMP i={} says MTU {}: judged as {} (Linux clamps to min_pmtu)", d->i, m.mtu, min_pmtu);
    }
    out.push_back(std::move(m));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.delivered_us < b.delivered_us; });
  return out;
}

static const nlohmann::json* topology_side(const Inputs& in, const std::string& role) {
  if (!in.topology.is_object()) return nullptr;
  const auto it = in.topology.find(role);
  return it != in.topology.end() && it->is_object() ? &*it : nullptr;
}

SideSetup side_setup(const Inputs& in, const std::string& role) {
  const auto* side = topology_side(in, role);
  if (!side) return {};
  return {true, side->value("device", "") == "tun", side->value("kernel", "")};
}

std::optional<std::string> sysctl_in_force(const Inputs& in, const std::string& role, const std::string& name) {
  if (const auto* side = topology_side(in, role)) {
    const auto s = side->find("sysctls");
    if (s != side->end() && s->is_object() && s->contains(name) && (*s)[name].is_string())
      return (*s)[name].get<std::string>();
  }
  const auto& set = role == "client" ? in.scenario.peers.client.sysctls : in.scenario.peers.server.sysctls;
  for (const auto& [n, v] : set)
    if (n == name) return v;
  return std::nullopt;
}

std::int64_t received_through(const dissect::TcpDirection& d,
                              const std::function<bool(const dissect::TcpSegment&)>& got) {
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  for (const auto& s : d.segments)
    if (s.end > s.seq && got(s)) ranges.emplace_back(s.seq, s.end);
  std::sort(ranges.begin(), ranges.end());
  std::int64_t through = -1;  // the SYN is -1
  for (const auto& [from, to] : ranges)
    if (from <= through) through = std::max(through, to);
  return through;
}

WireDigests wire_digests(const std::vector<std::uint8_t>& stream, std::optional<std::size_t> urgent_at) {
  const auto sha256 = [](const std::vector<std::uint8_t>& b) { return events::to_hex(crypto::digest(crypto::Hash::sha256, b)); };
  WireDigests out{sha256(stream), std::nullopt};
  if (urgent_at && *urgent_at < stream.size()) {
    auto without = stream;
    without.erase(without.begin() + static_cast<std::ptrdiff_t>(*urgent_at));
    out.inband = sha256(without);
  }
  return out;
}

}  // namespace wireproof::checks::tcp
