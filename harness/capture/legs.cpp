// The two legs of every datagram, with comments, in time order.
#include <algorithm>
#include <cstdio>
#include <variant>

#include "harness/capture/pcapng_writer.hpp"

namespace wireproof::capture {

namespace {

std::string ms(std::int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us) / 1000.0);
  return buf;
}

std::string action_text(const events::Action& a) {
  std::string what = a.action == "drop"      ? "dropped"
                     : a.action == "mtu"     ? "dropped by link mtu"
                     : a.action == "delay"   ? "delayed"
                     : a.action == "reorder" ? "held for reordering"
                     : a.action == "duplicate" ? "duplicated"
                     : a.action == "corrupt" ? "corrupted (payload shown as received)"
                     : a.action == "send_failed" ? "send refused"  // fate send_failed: no leg 2
                     : a.action == "never_sent" ? "never sent"     // fate never_sent: no leg 2
                                             : a.action;
  std::string s = what;
  if (a.rule != "link") s += " by rule " + a.rule;
  if (!a.detail.empty()) s += " (" + a.detail + ")";
  return s;
}

std::string leg1_comment(const events::Datagram& d, const std::string& pending_link) {
  std::string s = d.dir + " #" + std::to_string(d.i);
  if (d.flight) s += " flight " + std::to_string(*d.flight);
  if (d.retransmission) s += " retransmission";
  s += "; sender -> wire";
  for (const auto& a : d.actions) s += "; " + action_text(a);
  if (d.fate == "dropped" && std::none_of(d.actions.begin(), d.actions.end(), [](const events::Action& a) {
        return a.action == "drop" || a.action == "mtu";
      }))
    s += "; dropped";
  if (d.mtu != 1500 && d.mtu != 0) s += "; link mtu " + std::to_string(d.mtu);
  if (d.malformed) s += "; malformed: " + *d.malformed;
  if (!pending_link.empty()) s += "; " + pending_link;
  return s;
}

std::string leg2_comment(const events::Datagram& d, std::size_t copy, std::int64_t at_us) {
  std::string s = d.dir + " #" + std::to_string(d.i) + " wire -> receiver";
  if (d.deliveries_us.size() > 1) s += "; duplicate copy " + std::to_string(copy + 1) + " of " +
                                       std::to_string(d.deliveries_us.size());
  if (at_us - d.t_us >= 1000) s += "; delayed " + ms(at_us - d.t_us);
  return s;
}

std::string link_text(const events::LinkChange& l) {
  std::string v = l.value.is_string() ? l.value.get<std::string>() : l.value.dump();
  std::string s = "link " + l.change + (l.rule.empty() ? "" : " " + l.rule) + " -> " + v;
  if (!l.cause.empty()) s += " (" + l.cause + ")";
  return s;
}

}  // namespace

bool is_l3_log(const events::EventLog& log) {
  for (const auto& e : log.events)
    if (const auto* d = std::get_if<events::Datagram>(&e); d && !d->packet.empty()) return true;
  return false;
}

std::vector<CapturedPacket> capture_packets(const events::EventLog& log, const CaptureEndpoints& ep) {
  std::vector<CapturedPacket> out;
  const bool l3 = is_l3_log(log);
  std::uint16_t ip_id = 0;
  std::string pending_link;  // link changes have no packet; they ride on the next datagram's comment
  for (const auto& e : log.events) {
    if (const auto* l = std::get_if<events::LinkChange>(&e)) {
      pending_link += (pending_link.empty() ? "after " : ", ") + link_text(*l);
      continue;
    }
    const auto* d = std::get_if<events::Datagram>(&e);
    if (!d) continue;
    const bool c2s = d->dir == "c2s";
    if (l3) {
      // The real packet, on the sender's side when it arrived (not for the wire's own), on the receiver's at each delivery.
      const std::uint32_t sender_side = c2s ? 0 : 1, receiver_side = 1 - sender_side;
      if (d->origin != "wire") {
        out.push_back({d->t_us, d->packet, leg1_comment(*d, pending_link), sender_side});
        pending_link.clear();
      }
      for (std::size_t k = 0; k < d->deliveries_us.size(); ++k)
        out.push_back({d->deliveries_us[k], d->delivered_bytes(k),
                       (d->origin == "wire" ? "crafted by the wire; " : "") + leg2_comment(*d, k, d->deliveries_us[k]),
                       receiver_side});
      continue;
    }
    const Endpoint& sender = c2s ? ep.client : ep.server;
    const Endpoint& wire_in = c2s ? ep.wire_client_side : ep.wire_server_side;
    const Endpoint& wire_out = c2s ? ep.wire_server_side : ep.wire_client_side;
    const Endpoint& receiver = c2s ? ep.server : ep.client;
    out.push_back({d->t_us, ipv4_udp(sender, wire_in, ip_id++, d->payload), leg1_comment(*d, pending_link)});
    pending_link.clear();
    for (std::size_t k = 0; k < d->deliveries_us.size(); ++k)
      out.push_back({d->deliveries_us[k], ipv4_udp(wire_out, receiver, ip_id++, d->delivered_bytes(k)),
                     leg2_comment(*d, k, d->deliveries_us[k])});
  }
  // Deliveries can come after later arrivals (delay, reorder): sort by time, stable by log order.
  std::stable_sort(out.begin(), out.end(), [](const CapturedPacket& a, const CapturedPacket& b) { return a.t_us < b.t_us; });
  return out;
}

}  // namespace wireproof::capture
