// lwIP 2.1.3 has no path MTU discovery for TCP: after an ICMP frag-needed or
// ICMPv6 Packet Too Big its segments keep the MSS of the handshake (measured:
// the same 1500-byte segment resent at 2.75 s, 8.75 s, ... until the run's
// deadline, mtu-shrinks-with-icmp-v6). This watch sees the netif's packets (sans
// IO) and says so from what lwIP does, not from its version: a packet larger
// than a too-big message's MTU, sent after the message was handed to lwIP.
// The peer then ends as unsupported (exit 127), the contract's answer for
// something the stack cannot do (RFC 1191 3, RFC 8201 4 require the sender
// to shrink).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace wireproof::peers::lwip {

class TooBigWatch {
 public:
  // A packet read from the wire, before lwIP processes it.
  void inbound(std::span<const std::uint8_t> packet);
  // A packet lwIP sends.
  void outbound(std::span<const std::uint8_t> packet);
  // Set once a packet broke a too-big message's MTU: what happened, for the
  // "unsupported: ..." error.
  const std::optional<std::string>& ignored() const { return ignored_; }

 private:
  std::optional<std::uint32_t> mtu_;  // the smallest MTU a too-big message gave
  std::string message_kind_;          // "ICMP frag-needed" or "ICMPv6 Packet Too Big"
  std::optional<std::string> ignored_;
};

}  // namespace wireproof::peers::lwip
