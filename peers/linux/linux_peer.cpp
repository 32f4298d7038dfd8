#include "peers/linux/linux_peer.hpp"

#include <sys/utsname.h>

#include <iostream>

#include "peers/common/errno_names.hpp"
#include "peers/linux/session.hpp"

namespace wireproof::peers::linux_tcp {
namespace {

// The kernel is the implementation: its release names the version.
PeerIdentity kernel_identity() {
  utsname u{};
  return {"Linux", ::uname(&u) == 0 ? u.release : "unknown"};
}

int run(const TcpPeerOptions& opts) {
  StopSignal stop;  // first: SIGTERM must never kill the process unreported
  EventEmitter events(std::cout);
  Session s{opts, events, stop};
  End end;
  try {
    if (opts.role == Role::server) {
      TcpListener listener(opts.listen);
      events.emit({{"event", "ready"}, {"port", listener.port()}});
      end = run_server_workload(s, listener);
    } else {
      end = run_client_workload(s);
    }
  } catch (const SocketSetupError& e) {
    events.emit({{"event", "error"}, {"errno", errno_name(e.err)}, {"message", e.what()}});
    end = {"error", kExitInternal};
  }
  events.emit({{"event", "closed"}, {"reason", end.reason}});
  return end.exit_code;
}

}  // namespace

int run_linux_peer(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_tcp_peer_options(args, kernel_identity());
  if (!parsed.options) {
    std::cout << parsed.stdout_text << std::flush;
    std::cerr << parsed.stderr_text;
    return parsed.exit_code;
  }
  const auto& o = *parsed.options;
  const std::string& host = o.role == Role::server ? o.listen.host : o.connect.host;
  if (!is_ip_literal(host)) {
    auto bad = usage_error("'" + host + "' is not an IPv4 or [IPv6] address");
    std::cout << bad.stdout_text << std::flush;
    std::cerr << bad.stderr_text;
    return bad.exit_code;
  }
  try {
    return run(*parsed.options);
  } catch (const std::exception& e) {
    std::cout << nlohmann::json{{"event", "error"}, {"message", std::string("internal: ") + e.what()}}.dump() << "\n"
              << nlohmann::json{{"event", "closed"}, {"reason", "error"}}.dump() << std::endl;
    return kExitInternal;
  }
}

}  // namespace wireproof::peers::linux_tcp
