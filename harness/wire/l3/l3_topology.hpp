// The L3 wire's topology (interfaces.md 1): one network namespace per side and
// a packet port in each, configured for a run:
//   client side 198.18.0.1 (2001:db8::1), server side 198.18.0.2 (2001:db8::2);
//   the wire's "router" address 198.18.0.254 (2001:db8::fe), the source of the
//   ICMP it crafts, routed (/32, /128) out of the side's device so the kernel
//   accepts it under any rp_filter setting; nothing else, no default route.
//   Device::tun: a TunDevice (tun_device.hpp) in the side's namespace; the
//     wire holds its fd, the peer uses ordinary sockets in the namespace.
//   Device::packet_socket: a socketpair(AF_UNIX, SOCK_SEQPACKET); the wire holds
//     one end, the user-space peer inherits the other (peer_fd, not close-on-exec)
//     and runs in the side's namespace, which has no device, so it reaches nothing.
//   ipv6: the /128 addresses on the TUN (nodad, no link-local, accept_ra 0) and a
//     /128 route to the other side. IPv4 is always configured.
//   sysctls: written to /proc/sys inside the side's namespace (/proc/sys/net is
//     the opening thread's namespace's), in the order given.
//
//   L3Topology topo({.client = {Device::tun, 1500, {{"net.ipv4.tcp_sack", "0"}}}, .server = {}});
//   L3Relay relay(link, topo.wire_fd(Dir::c2s), topo.wire_fd(Dir::s2c));
//   in_namespace(topo.ns(Dir::s2c), [] { /* socket, bind 198.18.0.2 */ });
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/wire/l3/net_namespace.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::wire::l3 {

enum class Device { tun, packet_socket };

struct L3SideConfig {
  Device device = Device::tun;
  int mtu = 1500;
  std::vector<std::pair<std::string, std::string>> sysctls;  // {"net.ipv4.tcp_syn_linear_timeouts","4"}; applied in the side's ns
  // `ip route` options ({"rto_min", "1s"}) on the side's route to the other
  // side (IPv4 /32, and IPv6 /128 when on): what Linux offers only per route.
  // TUN sides only (a user-space stack has no kernel route).
  std::vector<std::pair<std::string, std::string>> route_options;
};

struct L3Config {
  L3SideConfig client, server;
  bool ipv6 = false;
};

class L3Topology {
 public:
  explicit L3Topology(const L3Config& config);  // throws std::runtime_error naming the side, the step (and the sysctl)
  ~L3Topology();
  L3Topology(const L3Topology&) = delete;
  L3Topology& operator=(const L3Topology&) = delete;

  const NetNamespace& ns(Dir side) const;  // c2s = client side, s2c = server side
  int wire_fd(Dir side) const;             // the fd the wire reads and writes
  int peer_fd(Dir side) const;             // packet_socket: the end the peer inherits (-1 for tun)
  std::string address(Dir side) const;     // the side's address for the run: IPv6 when ipv6, else IPv4
  // Per side: namespace, device, addresses, mtu, kernel (uname -r), and the
  // sysctls in force now (every net.ipv4.tcp_*, the PMTU-related ones, IPv6 MTU ones).
  nlohmann::json describe() const;

 private:
  struct Side;
  const Side& side(Dir d) const;
  std::unique_ptr<Side> client_, server_;
  bool ipv6_;
};

// Writes /proc/sys/<name with dots as slashes> in ns; throws naming the sysctl
// when it does not exist or the kernel refuses the value.
void apply_sysctl(const NetNamespace& ns, const std::string& name, const std::string& value);
// Reads one sysctl in ns (trailing newline removed); throws naming it when absent.
std::string read_sysctl(const NetNamespace& ns, const std::string& name);

}  // namespace wireproof::wire::l3
