// Kernel-TCP loads between the L3 topology's two namespaces, for l3_bench:
// whatever moves the packets between the TUNs (the wire or a bare copy loop)
// runs on its own thread meanwhile.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/wire/l3/net_namespace.hpp"

namespace wireproof::bench::l3 {

struct BulkResult {
  std::size_t bytes = 0;  // received by the server before its EOF
  double seconds = 0;     // from the client's connect() returning to the server's EOF
  double goodput_mbit_s() const { return seconds > 0 ? static_cast<double>(bytes) * 8 / seconds / 1e6 : 0; }
};

// The client sends `bytes` one way to a server in the other namespace, then
// closes its sending half. Throws naming the step on a socket error or
// timeout (10 s per call), or when fewer bytes arrive than were sent.
BulkResult one_way_bulk(const wire::l3::NetNamespace& client_ns, const wire::l3::NetNamespace& server_ns,
                        const std::string& server_addr, std::size_t bytes);

// Small-segment ping-pong (TCP_NODELAY both ends): `count` round trips of
// `message_bytes`, or fewer if `budget_ms` runs out. Round-trip times in us.
std::vector<double> ping_pong(const wire::l3::NetNamespace& client_ns, const wire::l3::NetNamespace& server_ns,
                              const std::string& server_addr, int count, std::size_t message_bytes, int budget_ms);

}  // namespace wireproof::bench::l3
