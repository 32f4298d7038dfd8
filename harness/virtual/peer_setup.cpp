#include "harness/virtual/peer_setup.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "harness/runner/peer_argv.hpp"
#include "harness/runner/peer_timeouts.hpp"
#include "impl/crypto/hmac.hpp"
#include "impl/crypto/random.hpp"
#include "impl/crypto/x509.hpp"

namespace wireproof::sim {

namespace {

// How argv names a PKI file: relative to the run directory ("pki/ca.pem").
// Nothing executes this argv, and an absolute path would make result.json
// differ between two runs of the same seed in different directories.
std::string in_run_dir(const std::filesystem::path& file) {
  return (file.parent_path().filename() / file.filename()).string();
}

PeerSetup common(const scenario::Scenario& sc, const pki::PkiFiles& pki, dtls::Role role, int port) {
  // The in-process ref peers verify "localhost", serve one certificate and take
  // none of the tls: section's flags (SNI, host / IP / client certificates,
  // ALPN): such a scenario would pass untested (sni-selects-certificate did).
  if (sc.tls.section_given)
    throw std::runtime_error("the in-process ref peers take none of the tls: section's flags (server_name, "
                             "host_certs, unknown_sni, client_cert, alpn, ip_cert); run this scenario with --clock real");
  PeerSetup s;
  s.params.role = role;
  s.params.port = port;
  s.params.timer_initial_ms = sc.peers.timer_initial_ms;
  s.params.handshake_timeout_ms = runner::handshake_timeout_ms(sc);  // as real runs do
  s.params.idle_timeout_ms =
      role == dtls::Role::client ? runner::client_idle_timeout_ms(sc) : runner::idle_timeout_ms(sc);  // as real runs do
  s.params.plan = {sc.workload.echo_bytes, sc.workload.chunk};

  auto& c = s.config;
  c.handshake.role = role;
  c.handshake.trust = crypto::TrustStore::from_ca_file(pki.ca_cert);
  int mtu = sc.peers.mtu.value_or(sc.link.mtu);
  c.mtu = static_cast<std::size_t>(mtu);
  if (sc.peers.timer_initial_ms) c.initial_timer = std::chrono::milliseconds(*sc.peers.timer_initial_ms);

  // What a real ref peer would get, from the runner's one mapping; PKI paths
  // relative to the run directory, and no address (the virtual wire has none).
  pki::PkiFiles files;
  files.ca_cert = in_run_dir(pki.ca_cert);
  files.server_cert = in_run_dir(pki.server_cert);
  files.server_key = in_run_dir(pki.server_key);
  runner::PeerCommand ref;
  ref.argv_prefix = {"in-process:ref"};
  s.argv = runner::peer_argv(sc, ref,
                             {role == dtls::Role::client ? "client" : "server", "", files,
                              static_cast<int>(s.params.idle_timeout_ms), static_cast<int>(s.params.handshake_timeout_ms),
                              false});
  return s;
}

}  // namespace

// One stream per purpose of the run (crypto::seeded_random): reproducible runs only.
crypto::RandomSource run_stream(std::uint64_t seed, std::string_view purpose) {
  return crypto::seeded_random(seed, "wireproof virtual " + std::string(purpose));
}

PeerSetup client_setup(const scenario::Scenario& sc, const pki::PkiFiles& pki, int client_port,
                       std::uint64_t seed) {
  PeerSetup s = common(sc, pki, dtls::Role::client, client_port);
  s.config.random = run_stream(seed, "client");
  s.config.handshake.server_name = "localhost";
  return s;
}

PeerSetup server_setup(const scenario::Scenario& sc, const pki::PkiFiles& pki, int server_port,
                       const std::vector<std::uint8_t>& client_address, std::uint64_t seed) {
  PeerSetup s = common(sc, pki, dtls::Role::server, server_port);
  auto& hs = s.config.handshake;
  hs.credential = crypto::Credential::load(pki.server_cert, pki.server_key);
  hs.request_client_cert = true;  // like every shim: ask, verify when sent
  s.config.peer_address = client_address;
  s.config.random = run_stream(seed, "server");
  // Deterministic too, and the secret never leaves the process.
  s.config.cookie_secret = crypto::random_bytes(32, run_stream(seed, "cookie secret"));
  return s;
}

}  // namespace wireproof::sim
