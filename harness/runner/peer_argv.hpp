// The one mapping from a scenario to a peer's command line (peers/CONTRACT.md).
// Real runs execute it; virtual runs record it in result.json as what a real
// peer would have been given. Optional options go only to a peer that declares
// them (registry "capabilities"; capability_gap has already refused a scenario
// that needs one a peer lacks), so a library that cannot set an MTU is not asked to.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/pki/pki.hpp"
#include "harness/runner/run.hpp"
#include "harness/scenario/model.hpp"

namespace wireproof::runner {

struct ArgvInputs {
  std::string role;                // client | server
  std::string address;             // the server's --listen, the client's --connect; empty: none (virtual runs)
  pki::PkiFiles pki;               // as the paths should be written
  int idle_ms = 0, handshake_ms = 0;
  bool lines = false;              // the pair needs --framing lines (a stock tool is in it)
  // A user-space stack on the L3 wire: its own address; it gets --packet-fd 3
  // (runner/child_setup.hpp) and --local-address. Empty otherwise.
  std::string packet_port_address = {};
  // Where a key_log peer writes its NSS key log (key_log_file); empty: no --key-log.
  std::string key_log = {};
};

// The key log a peer of `role` writes in a run of `sc` into `run_dir`
// (<run dir>/keylog-<role>.txt, TLS_CONTRACT.md "Registry": TLS and DTLS 1.2
// runs); nullopt when it writes none (a tcp scenario, or its registry entry
// has no key_log).
std::optional<std::filesystem::path> key_log_file(const scenario::Scenario& sc, const PeerCommand& peer,
                                                  const std::string& role, const std::filesystem::path& run_dir);

// The host names the run's PKI issues server certificates for (TLS tls.server.host_certs).
std::vector<std::string> pki_host_names(const scenario::Scenario& sc);
// The address the run's PKI issues the IP certificate for (tls.server.ip_cert): the host of the
// server's --listen ("198.18.0.2:0", "[2001:db8::2]:0"), which is what the client connects to and
// verifies; "" when the scenario asks for none.
std::string pki_ip_address(const scenario::Scenario& sc, const std::string& server_listen);

std::vector<std::string> peer_argv(const scenario::Scenario& sc, const PeerCommand& peer, const ArgvInputs& in);

// Whether a pair needs --framing lines: a stock tool is in it.
bool needs_lines(const PeerCommand& client, const PeerCommand& server);

}  // namespace wireproof::runner
