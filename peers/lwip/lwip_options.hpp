// wireproof-lwip's command line: the TCP peer contract's parser
// (peers/common/tcp_options.hpp, with the packet port) plus what only lwIP
// checks: the packet fd is a SOCK_SEQPACKET socket, and the workloads this
// peer implements. Parsing never exits the process: it returns what to print
// and the exit code (3 bad value, 127 unsupported).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "peers/common/options.hpp"
#include "peers/common/tcp_options.hpp"

namespace wireproof::peers::lwip {

struct LwipOptions {
  TcpPeerOptions tcp;         // the contract's options
  int packet_fd = -1;         // SOCK_SEQPACKET: one read or write is one IP packet
  std::string local_address;  // the netif's address, without brackets ("2001:db8::1")
  int mtu = 1500;             // the netif's MTU (IP header included)
};

// Either options to run with, or a finished outcome (--version, --help, an
// error) to print and exit with.
struct LwipParseResult {
  std::optional<LwipOptions> options;
  TcpParseResult outcome;  // exit code and what to print; its options unused
};

// args excludes argv[0].
LwipParseResult parse_lwip_options(const std::vector<std::string>& args, const PeerIdentity& id);

// The contract workloads this peer runs in `role`; the others are answered with 127.
bool lwip_supports(TcpWorkload w, Role role);

}  // namespace wireproof::peers::lwip
