// One IP packet read from a side of the L3 wire, turned into the event log's
// layers (events/ip_layers.hpp): the IP header, the TCP segment or ICMP message,
// and where the transport payload lies in the packet (where the corrupt
// impairment flips bytes). It copies no bytes: the Link cuts the payload, or
// leaves that to the event writer. UDP payloads are DTLS-dissected by the Link
// as in relay mode; this only says where they are.
//
//   auto view = ip_event_view(packet);
//   d.ip = view.ip; d.tcp = view.tcp; d.icmp = view.icmp;
//   payload = packet.subspan(view.payload_offset, view.payload_length);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/dissect/ip_dissector.hpp"
#include "harness/events/ip_layers.hpp"

namespace wireproof::wire::l3 {

struct IpEventView {
  dissect::IpPacket dissected;
  std::optional<events::IpLayer> ip;  // absent when not even the IP header decoded
  std::optional<events::TcpLayer> tcp;
  std::optional<events::IcmpLayer> icmp;
  bool udp = false;                   // the payload is a UDP payload (DTLS-dissect it)
  // The transport payload (TCP data, UDP payload; empty otherwise): where it lies in the packet.
  std::size_t payload_offset = 0, payload_length = 0;
};

IpEventView ip_event_view(std::span<const std::uint8_t> packet);

events::IpLayer to_ip_layer(const dissect::IpHeader& h);
events::TcpLayer to_tcp_layer(const dissect::TcpSegment& s);
events::IcmpLayer to_icmp_layer(const dissect::IcmpMessage& m);

}  // namespace wireproof::wire::l3
