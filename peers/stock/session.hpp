// Drives one stock tool through one contract run (peers/CONTRACT.md): starts
// it, reads what it prints, feeds the echo workload through its stdin as
// framed lines (line_frame.hpp), echoes for tools that do not, and emits the
// contract's events. Ends the tool on every path: done, alert, error,
// handshake or idle timeout, or a signal to the wrapper (signal_fd).
//
//   StockSession s(config, emitter);
//   return s.run();   // the contract's exit code
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "peers/common/event_emitter.hpp"
#include "peers/common/options.hpp"
#include "harness/registry/tool_spec.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::stock {

namespace exit_code {  // the contract's table, peers/common/peer_ending.hpp
constexpr int ok = peers::kExitOk, handshake = peers::kExitHandshake, workload = peers::kExitWorkload,
              usage = peers::kExitUsage, internal = peers::kExitInternal, unsupported = peers::kExitUnsupported;
}

struct SessionConfig {
  peers::PeerOptions opts;
  registry::RoleSpec role;  // the one for opts.protocol (role.tcp: TLS over TCP)
  const registry::ToolSpec* tool = nullptr;  // its version and group names
  // The tool's argv for a listening port (servers) or 0 (clients).
  std::function<std::vector<std::string>(std::uint16_t port)> argv_for_port;
  std::map<std::string, std::string> env;  // set in the tool's environment
  // Client: written to the tool's stdin once half the echo chunks are sent (--key-update).
  std::optional<std::string> stdin_midway;
  int signal_fd = -1;  // readable when SIGTERM/SIGINT/SIGHUP arrived
  // The tool's own initial retransmission timer when the registry fixes it
  // ("fixed": {"timer-initial-ms": ...}); reported in the ready event as
  // "timer_initial_ms_effective" so the runner judges with it.
  std::optional<int> timer_initial_ms_effective;
};

int run_stock_session(const SessionConfig& config, peers::EventEmitter& events);

}  // namespace wireproof::stock
