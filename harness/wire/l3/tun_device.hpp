// A TUN device inside a NetNamespace, configured the way packetdrill configures its
// tun (DESIGN.md "L3 facts"), with its fd handed back to the harness process:
//   - IFF_TUN | IFF_NO_PI, no vnet header, TUNSETOFFLOAD(0): the fd carries bare IP
//     packets at their real segment sizes (no TSO/GSO super-packets);
//   - address local/15 without a prefix route, and a /32 route to the peer only:
//     no default route, nothing can leave the harness's 198.18.0.0/15;
//   - the given MTU, a pfifo qdisc (no fq/fq_codel pacing), link up;
//   - addrgenmode none: no IPv6 link-local, so no router/MLD solicitations on the wire.
// The device lives as long as the fd: the destructor closes it and the kernel removes
// the device, so a killed owner leaves no device behind either.
//
//   NetNamespace a;
//   TunDevice tun(a, {"198.18.0.1", "198.18.0.2", 1500});
//   ::read(tun.fd(), buf, sizeof buf);                    // one IPv4 packet from a's stack
#pragma once

#include <string>

#include "harness/wire/l3/net_namespace.hpp"
#include "harness/wire/unique_fd.hpp"

namespace wireproof::wire::l3 {

struct TunConfig {
  std::string local;  // IPv4 in 198.18.0.0/15, e.g. "198.18.0.1"
  std::string peer;   // IPv4 in 198.18.0.0/15, the one address routed out of this device
  int mtu = 1500;
};

// Throws std::invalid_argument unless both addresses are distinct IPv4 in 198.18.0.0/15
// and 68 <= mtu <= 65535 (RFC 791's minimum; the TUN maximum).
void validate(const TunConfig& config);

class TunDevice {
 public:
  TunDevice(const NetNamespace& ns, const TunConfig& config);  // throws, naming the step
  TunDevice(TunDevice&&) = default;
  TunDevice& operator=(TunDevice&&) = default;

  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }  // the device name inside its namespace

 private:
  std::string name_;
  UniqueFd fd_;
};

}  // namespace wireproof::wire::l3
