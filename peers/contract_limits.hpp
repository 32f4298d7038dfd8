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

inline std::optional<ProtocolLimits> limits_for(std::string_view protocol) {
  if (protocol == "dtls1.2") return kDtls12;
  return std::nullopt;
}

}  // namespace wireproof::contract
