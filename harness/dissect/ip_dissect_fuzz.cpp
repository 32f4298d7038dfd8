// libFuzzer target: any bytes through the IP dissector. It must never read out
// of bounds, and what it reports must lie inside the input: the IP header and
// every transport payload within the packet, a decoded transport only on an
// unfragmented packet whose header fit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "harness/dissect/ip_dissector.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wireproof::dissect;
  IpPacket p = dissect_ip(std::span<const std::uint8_t>(data, size));
  bool transport = p.tcp || p.udp || p.icmp;
  if (transport && (p.ip.header_length > size || p.ip.is_fragment())) std::abort();
  if (int(bool(p.tcp)) + int(bool(p.udp)) + int(bool(p.icmp)) > 1) std::abort();
  if (p.tcp && p.tcp->payload_offset + p.tcp->payload_length > size) std::abort();
  if (p.udp && p.udp->payload_offset + p.udp->payload_length > size) std::abort();
  if (p.tcp && p.tcp->checksum_ok == false && !p.malformed) std::abort();
  if (!p.malformed && p.ip.version != 4 && p.ip.version != 6) std::abort();
  if (p.icmp && p.icmp->quoted) (void)p.icmp->quoted->src.to_string();
  (void)p.ip.src.to_string();
  return 0;
}
