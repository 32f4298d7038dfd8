#include "peers/lwip/too_big_watch.hpp"

#include "harness/dissect/ip_dissector.hpp"

namespace wireproof::peers::lwip {

void TooBigWatch::inbound(std::span<const std::uint8_t> packet) {
  const auto p = dissect::dissect_ip(packet);
  if (p.malformed || !p.icmp || !p.icmp->checksum_ok || !p.icmp->mtu) return;
  if (!p.icmp->is_frag_needed() && !p.icmp->is_packet_too_big()) return;
  if (mtu_ && *mtu_ <= *p.icmp->mtu) return;
  mtu_ = *p.icmp->mtu;
  message_kind_ = p.icmp->v6 ? "ICMPv6 Packet Too Big" : "ICMP frag-needed";
}

void TooBigWatch::outbound(std::span<const std::uint8_t> packet) {
  if (ignored_ || !mtu_ || packet.size() <= *mtu_) return;
  const auto p = dissect::dissect_ip(packet);
  if (!p.tcp) return;  // only TCP is lwIP's to shrink here
  ignored_ = "path MTU discovery: lwIP sent a " + std::to_string(packet.size()) + "-byte TCP packet after an " +
             message_kind_ + " with MTU " + std::to_string(*mtu_) + " (lwIP 2.1.3's TCP keeps the MSS of its handshake)";
}

}  // namespace wireproof::peers::lwip
