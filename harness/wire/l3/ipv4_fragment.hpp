// What a router does with an IPv4 packet too big for the next hop and without
// DF (RFC 791 3.2 "Fragmentation and reassembly", RFC 1812 5.2.6): it cuts the
// payload into fragments of at most `mtu` bytes each, a multiple of 8 bytes
// of payload but the last, MF set on all but the last, offsets in 8-byte
// units, each header checksum recomputed. The receiving stack reassembles.
// lwIP sends without DF, so on a shrunken link only this gets its data through.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace wireproof::wire::l3 {

// The fragments of `packet` (an unfragmented or fragmented IPv4 packet without
// DF, header checksum valid) for a next hop of `mtu` bytes; empty when it
// cannot be cut (IP options present, an MTU below header + 8 bytes, or DF set).
std::vector<std::vector<std::uint8_t>> fragment_ipv4(std::span<const std::uint8_t> packet, int mtu);

}  // namespace wireproof::wire::l3
