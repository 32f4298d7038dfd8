// Runs one scenario once between two peers through the impaired wire and
// writes the run directory (docs/RESULT.md): result.json, events.jsonl,
// capture.pcapng, the peers' stdout/stderr, pki/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/runner/expectations.hpp"
#include "harness/scenario/model.hpp"
#include "peers/capabilities.hpp"

namespace wireproof::runner {

// A registered peer, resolved to a command (peers/registry.json).
struct PeerCommand {
  std::string name;                     // registry name: openssl, gnutls, openssl-cli, ...
  std::string implementation;           // OpenSSL, GnuTLS, ...
  std::string version;                  // what the peer reported with --version
  std::string kind = "shim";            // shim (speaks the contract natively) | stock (wrapped tool)
  std::vector<std::string> argv_prefix; // executable and fixed leading arguments
  // A stock tool's retransmission timer when it cannot be set (registry
  // "fixed" timer-initial-ms), per role; nullopt: it takes the scenario's.
  std::optional<int> fixed_timer_ms_as_client = std::nullopt, fixed_timer_ms_as_server = std::nullopt;
  // What it declared it can do (registry "capabilities"; default: the whole contract).
  contract::Capabilities capabilities = {};
  std::vector<std::string> protocols = {"dtls1.2"};  // registry "protocols"
  // On the L3 wire: a TUN in its namespace (kernel stacks) or an inherited packet socket (user-space stacks).
  bool packet_socket = false;
  // Registry "sysctls", applied in its side's namespace before it starts; an
  // `if_present` one is skipped (and said so) on a kernel without it.
  struct Sysctl {
    std::string name, value;
    bool if_present = false;
  };
  std::vector<Sysctl> sysctls = {};
  // Registry "route": `ip route` options for its route to the other side ({"rto_min", "1s"}).
  std::vector<std::pair<std::string, std::string>> route_options = {};
  // Registry "key_log": in a TLS or DTLS run it gets --key-log <run dir>/keylog-<role>.txt (key_log_file).
  bool key_log = false;
  bool speaks(const std::string& protocol) const {
    for (const auto& p : protocols)
      if (p == protocol) return true;
    return false;
  }
};

// The slowest initial retransmission timer either peer will run with.
int longest_timer_ms(const scenario::Scenario& sc, const PeerCommand& client, const PeerCommand& server);

struct RunConfig {
  scenario::Scenario scenario;
  PeerCommand client, server;
  std::uint64_t seed = 1;
  std::filesystem::path out_dir;
  Expectations expectations;
};

// Never throws for peer misbehaviour: that becomes an `error` verdict. Throws
// only when the output directory cannot be written. Returns result.json.
nlohmann::json run_scenario(const RunConfig& cfg);

}  // namespace wireproof::runner
