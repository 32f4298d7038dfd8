// What a real run would pass each `ref` peer on its command line
// (harness/runner/run.cpp peer_argv), turned into in-process values: the
// peer's parameters, its dtls::ConnectionConfig (as peers/ref/ref_session.cpp
// builds it) and the equivalent argv for result.json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/pki/pki.hpp"
#include "harness/scenario/model.hpp"
#include "harness/virtual/virtual_peer.hpp"
#include "impl/dtls/connection.hpp"

namespace wireproof::sim {

struct PeerSetup {
  PeerParams params;
  dtls::ConnectionConfig config;
  std::vector<std::string> argv;  // the flags a real peer would get, for people reading result.json
};

// client_port / server_port: the addresses the capture shows (nothing binds them).
// seed: derives the server's cookie secret, so it is the same in every run with this seed.
PeerSetup client_setup(const scenario::Scenario& sc, const pki::PkiFiles& pki, int client_port);
PeerSetup server_setup(const scenario::Scenario& sc, const pki::PkiFiles& pki, int server_port,
                       const std::vector<std::uint8_t>& client_address, std::uint64_t seed);

}  // namespace wireproof::sim
