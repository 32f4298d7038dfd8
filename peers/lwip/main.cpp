// wireproof-lwip: lwIP 2.1.3 (Debian's liblwip) as a TCP contract peer over an
// inherited packet socket. See README.md.
#include <unistd.h>

#include <lwip/ip_addr.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "peers/common/event_emitter.hpp"
#include "peers/common/stop_signal.hpp"
#include "peers/lwip/lwip_options.hpp"
#include "peers/lwip/lwip_stack.hpp"
#include "peers/lwip/packet_netif.hpp"
#include "peers/lwip/session.hpp"

namespace lw = wireproof::peers::lwip;

namespace {

// A ParseResult or a TcpParseResult: what to print, and the exit code.
template <typename Outcome>
int finish(const Outcome& r) {
  std::cout << r.stdout_text << std::flush;
  std::cerr << r.stderr_text << std::flush;
  return r.exit_code;
}

// A plain address of the family lwIP was built with (both, in Debian's build).
bool parse_address(const std::string& text, ip_addr_t& out) { return ipaddr_aton(text.c_str(), &out) == 1; }

}  // namespace

int main(int argc, char** argv) {
  // First, before lwIP starts its threads: they inherit the blocked SIGTERM/SIGINT.
  wireproof::peers::StopSignal stop;
  wireproof::peers::EventEmitter events(std::cout);
  auto parsed = lw::parse_lwip_options(std::vector<std::string>(argv + 1, argv + argc),
                                       {"lwIP", lw::lwip_version()});
  if (!parsed.options) return finish(parsed.outcome);
  const lw::LwipOptions& o = *parsed.options;
  const wireproof::peers::TcpPeerOptions& tcp = o.tcp;

  lw::Endpoints ends{};
  const std::string& remote_text = tcp.role == wireproof::peers::Role::client ? tcp.connect.host : tcp.listen.host;
  if (!parse_address(o.local_address, ends.local))
    return finish(wireproof::peers::usage_error("--local-address '" + o.local_address + "' is not an IPv4 or IPv6 address"));
  if (!parse_address(remote_text, ends.remote))
    return finish(wireproof::peers::usage_error("'" + remote_text + "' is not an IPv4 or IPv6 address"));
  if (IP_GET_TYPE(&ends.local) != IP_GET_TYPE(&ends.remote))
    return finish(wireproof::peers::usage_error("--local-address " + o.local_address + " and " + remote_text +
                                                " are not the same IP version"));
  if (tcp.role == wireproof::peers::Role::server && !ip_addr_cmp(&ends.local, &ends.remote))
    return finish(wireproof::peers::usage_error("--listen " + remote_text + " is not --local-address " + o.local_address));
  if (IP_IS_V6_VAL(ends.local) && o.mtu < 1280)
    return finish(wireproof::peers::usage_error("--mtu " + std::to_string(o.mtu) + " is below IPv6's 1280"));

  int code = 1;
  try {
    lw::start_lwip();
    lw::PacketNetif netif(o.packet_fd, ends.local, o.mtu);
    code = lw::run_session(tcp, ends, netif, events, stop);
  } catch (const std::exception& e) {
    events.emit({{"event", "error"}, {"message", e.what()}});
    events.emit({{"event", "closed"}, {"reason", "error"}});
  }
  std::cout << std::flush;
  // lwIP's tcpip thread cannot be stopped; leave without running destructors under it.
  ::_exit(code);
}
