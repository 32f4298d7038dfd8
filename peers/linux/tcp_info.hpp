// The kernel's view of a TCP connection (getsockopt TCP_INFO) as the
// contract's tcp_info fields (peers/CONTRACT.md "TCP"): what the stack holds
// (its RTO, RTT estimate, retransmission counters, MSS, path MTU, congestion
// state) so a check can compare the wire against the stack's own numbers.
#pragma once

#include <nlohmann/json.hpp>

namespace wireproof::peers::linux_tcp {

// {"rto_us":..,"rtt_us":..,...,"ca_state":"open","state":"established"};
// {"error":"ENOTCONN"} when the kernel refuses.
nlohmann::json tcp_info_fields(int fd);

// The names the contract uses for tcpi_ca_state and tcpi_state values.
const char* ca_state_name(unsigned value);
const char* tcp_state_name(unsigned value);

}  // namespace wireproof::peers::linux_tcp
