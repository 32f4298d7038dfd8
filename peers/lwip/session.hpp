// One run of the TCP contract on lwIP: connect or accept one connection, run
// the workload, report (peers/CONTRACT.md "TCP": ready, connected with
// tcp_state and tcp_info, tcp_state and tcp_info, app_data, error, closed)
// and return the exit code.
// The main thread drives everything between waits; see tcp_connection.hpp
// for how it shares state with lwIP's tcpip thread.
#pragma once

#include <lwip/ip_addr.h>

#include "peers/common/event_emitter.hpp"
#include "peers/common/stop_signal.hpp"
#include "peers/common/tcp_options.hpp"
#include "peers/lwip/packet_netif.hpp"

namespace wireproof::peers::lwip {

struct Endpoints {
  ip_addr_t local;   // the netif's address (--local-address)
  ip_addr_t remote;  // client: --connect's address; server: unused
};

// Exit codes as in the DTLS contract: 0 the workload's part done (and
// verified where there is something to verify), 1 no connection, 2 the
// workload incomplete or wrong, 127 the wire asked for what lwIP cannot do
// (an "unsupported: ..." error naming it; netif.ignored_too_big()).
int run_session(const TcpPeerOptions& options, const Endpoints& endpoints, const PacketNetif& netif,
                EventEmitter& events, StopSignal& stop);

}  // namespace wireproof::peers::lwip
