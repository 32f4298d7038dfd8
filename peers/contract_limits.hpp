// Value ranges of the peer contract (peers/CONTRACT.md "Value rules"), per
// protocol: what every shim accepts, so the scenario loader can refuse a
// scenario the peers would refuse (validate == run). Header-only: the shims
// and harness/scenario both include it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wireproof::contract {

struct ProtocolLimits {
  int mtu_min, mtu_max;       // --mtu, IP layer (IPv4+UDP headers included)
  std::uint32_t chunk_max;    // --chunk, pattern bytes per record
};

// DTLS 1.2: a record carries at most 2^14 plaintext bytes (RFC 6347 4.1 /
// RFC 5246 6.2.1), minus the workload's 8-byte chunk index. The MTU floor of
// 256 is the contract's (the shims' libraries refuse or misbehave far below
// it; RFC 791's 68 leaves no room for a handshake fragment).
inline constexpr ProtocolLimits kDtls12{256, 65535, 16384 - 8};

// TCP (peers/CONTRACT.md "TCP"): --mtu is the interface MTU (lwIP's netif;
// kernel peers take the wire's), at least the 576 bytes every IPv4 host must
// accept (RFC 1122 3.3.3; IPv6 needs 1280, RFC 8200 5, which the scenario
// loader checks with `ip: 6`). A chunk is one write() of the stream: no record
// bound, so the contract caps it at 1 MiB.
inline constexpr ProtocolLimits kTcp{576, 65535, 1u << 20};

inline std::optional<ProtocolLimits> limits_for(std::string_view protocol) {
  if (protocol == "dtls1.2") return kDtls12;
  if (protocol == "tcp") return kTcp;
  return std::nullopt;
}

}  // namespace wireproof::contract
