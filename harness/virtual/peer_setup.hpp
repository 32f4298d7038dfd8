// What a real run would pass each `ref` peer on its command line
// (harness/runner/peer_argv), turned into in-process values: the
// peer's parameters, its dtls::ConnectionConfig (as peers/ref/ref_session.cpp
// builds it) and the equivalent argv for result.json.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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

// The stream for one purpose of one run: crypto::seeded_random(seed,
// "wireproof virtual " + purpose). For reproducible runs only.
crypto::RandomSource run_stream(std::uint64_t seed, std::string_view purpose);

// client_port / server_port: the addresses the capture shows (nothing binds them).
// seed: the run seed. Each side's ConnectionConfig::random is run_stream(seed,
// "client" / "server") (hello randoms, ECDHE keys), and the server's cookie secret
// comes from the "cookie secret" stream, so a run with this seed repeats byte for byte.
PeerSetup client_setup(const scenario::Scenario& sc, const pki::PkiFiles& pki, int client_port,
                       std::uint64_t seed);
PeerSetup server_setup(const scenario::Scenario& sc, const pki::PkiFiles& pki, int server_port,
                       const std::vector<std::uint8_t>& client_address, std::uint64_t seed);

}  // namespace wireproof::sim
