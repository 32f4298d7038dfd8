// The TLS command line (TLS_CONTRACT.md): each field of a scenario's tls:
// section becomes its contract flag, the PKI files go where they belong, and
// the key log is asked of a key_log peer in a TLS run only.
#include "harness/runner/peer_argv.hpp"

#include <gtest/gtest.h>

#include "harness/runner/capabilities.hpp"
#include "harness/runner/peer_timeouts.hpp"
#include "harness/scenario/loader.hpp"

namespace wireproof::runner {
namespace {

using Argv = std::vector<std::string>;

const std::string kTls13 = "name: t\ndescription: test\nrefs: [\"RFC 8446 4.1\"]\nprotocol: tls1.3\n";
const std::string kDtls = "name: t\ndescription: test\nrefs: [\"RFC 6347 4.2\"]\nprotocol: dtls1.2\n";

PeerCommand shim() {
  PeerCommand p;
  p.name = "openssl";
  p.argv_prefix = {"/bin/peer"};
  p.protocols = {"dtls1.2", "tls1.2", "tls1.3"};
  p.key_log = true;
  return p;
}

pki::PkiFiles files() {
  pki::PkiFiles f{"/p/ca.pem", "/p/ca.key", "/p/server.pem", "/p/server.key", "/p/client.pem", "/p/client.key"};
  f.hosts = {{"a.example", "/p/host-a.example.pem", "/p/host-a.example.key"}};
  return f;
}

ArgvInputs inputs(const std::string& role, std::string key_log = "") {
  ArgvInputs in{role, role == "server" ? "198.18.0.2:0" : "198.18.0.2:4433", files(), 10000, 27000, false};
  in.key_log = std::move(key_log);
  return in;
}

TEST(TlsArgv, ADefaultScenarioGivesTheContractsRequiredFlags) {
  const auto sc = scenario::load_scenario_text(kTls13, "t.yaml");
  EXPECT_EQ(peer_argv(sc, shim(), inputs("server", "/run/keylog-server.txt")),
            (Argv{"/bin/peer", "--role", "server", "--protocol", "tls1.3", "--listen", "198.18.0.2:0", "--cert",
                  "/p/server.pem", "--key", "/p/server.key", "--ca", "/p/ca.pem", "--host-cert",
                  "a.example=/p/host-a.example.pem:/p/host-a.example.key", "--handshake-timeout-ms", "27000",
                  "--key-log", "/run/keylog-server.txt", "--echo-bytes", "4096", "--chunk", "1000",
                  "--idle-timeout-ms", "10000"}));
  // No --cert for a client nobody asks for one; the PKI's default name as SNI; no --mtu, no timer.
  EXPECT_EQ(peer_argv(sc, shim(), inputs("client")),
            (Argv{"/bin/peer", "--role", "client", "--protocol", "tls1.3", "--connect", "198.18.0.2:4433", "--ca",
                  "/p/ca.pem", "--server-name", "localhost", "--handshake-timeout-ms", "27000", "--echo-bytes", "4096",
                  "--chunk", "1000", "--idle-timeout-ms", "10000"}));
}

TEST(TlsArgv, EveryTlsFieldBecomesItsFlagOnTheRightSide) {
  const auto sc = scenario::load_scenario_text(kTls13 +
                                                   "tls:\n  server_name: a.example\n  resume: true\n"
                                                   "  early_data: true\n  max_fragment_length: 512\n"
                                                   "  client: {alpn: [h2, http/1.1], groups: [x25519, secp256r1], "
                                                   "key_update: true, record_size_limit: 1024}\n"
                                                   "  server: {version: tls1.3, groups: secp256r1, host_certs: "
                                                   "[a.example], unknown_sni: alert, client_cert: optional}\n",
                                               "t.yaml");
  const Argv client = peer_argv(sc, shim(), inputs("client"));
  const Argv expected_client_tail{"--cert", "/p/client.pem", "--key", "/p/client.key", "--ca", "/p/ca.pem",
                                  "--server-name", "a.example", "--alpn", "h2,http/1.1", "--groups",
                                  "x25519,secp256r1", "--record-size-limit", "1024", "--max-fragment-length", "512",
                                  "--key-update", "--resume", "--early-data"};
  EXPECT_EQ(Argv(client.begin() + 7, client.begin() + 7 + static_cast<std::ptrdiff_t>(expected_client_tail.size())),
            expected_client_tail);
  const Argv server = peer_argv(sc, shim(), inputs("server"));
  const Argv expected_server_tail{"--ca",          "/p/ca.pem", "--host-cert",
                                  "a.example=/p/host-a.example.pem:/p/host-a.example.key",
                                  "--unknown-sni", "alert",     "--client-cert",
                                  "optional",      "--groups",  "secp256r1",
                                  "--max-fragment-length",      "512",
                                  "--resume",      "--early-data"};
  EXPECT_EQ(Argv(server.begin() + 11, server.begin() + 11 + static_cast<std::ptrdiff_t>(expected_server_tail.size())),
            expected_server_tail);
  for (const char* flag : {"--key-update", "--record-size-limit", "--alpn", "--server-name"})
    EXPECT_EQ(std::find(server.begin(), server.end(), flag), server.end()) << flag;
}

TEST(TlsArgv, PerSideVersionsAndThePlaintextServer) {
  auto sc = scenario::load_scenario_text(kTls13 + "tls:\n  server: {version: tls1.2}\n", "t.yaml");
  EXPECT_EQ(peer_argv(sc, shim(), inputs("server"))[4], "tls1.2");
  EXPECT_EQ(peer_argv(sc, shim(), inputs("client"))[4], "tls1.3");
  sc = scenario::load_scenario_text(kTls13 + "tls:\n  server: {plaintext: true}\n", "t.yaml");
  const Argv server = peer_argv(sc, shim(), inputs("server"));
  EXPECT_NE(std::find(server.begin(), server.end(), "--plaintext"), server.end());
  const Argv client = peer_argv(sc, shim(), inputs("client"));
  EXPECT_EQ(std::find(client.begin(), client.end(), "--plaintext"), client.end());
}

TEST(TlsArgv, KeyLogsAreForKeyLogPeersInTlsAndDtlsRuns) {
  const auto tls = scenario::load_scenario_text(kTls13, "t.yaml");
  EXPECT_EQ(key_log_file(tls, shim(), "client", "/out/run"), std::filesystem::path("/out/run/keylog-client.txt"));
  PeerCommand plain = shim();
  plain.key_log = false;
  EXPECT_EQ(key_log_file(tls, plain, "client", "/out/run"), std::nullopt);
  const auto tcp = scenario::load_scenario_text(
      "name: t\ndescription: test\nrefs: [\"RFC 9293 3.5\"]\nprotocol: tcp\n", "t.yaml");
  EXPECT_EQ(key_log_file(tcp, shim(), "server", "/out/run"), std::nullopt);
  // DTLS 1.2 (TLS_CONTRACT.md: key-log applies to dtls1.2 as well).
  const auto dtls = scenario::load_scenario_text(
      "name: t\ndescription: test\nrefs: [\"RFC 6347 4.2\"]\nprotocol: dtls1.2\n", "t.yaml");
  EXPECT_EQ(key_log_file(dtls, shim(), "server", "/out/run"), std::filesystem::path("/out/run/keylog-server.txt"));
  const Argv argv = peer_argv(dtls, shim(), inputs("client", "/out/run/keylog-client.txt"));
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(Argv(argv.end() - 2, argv.end()), (Argv{"--key-log", "/out/run/keylog-client.txt"}));
  const Argv without = peer_argv(dtls, shim(), inputs("client"));
  EXPECT_EQ(std::find(without.begin(), without.end(), "--key-log"), without.end());
}

// A TLS peer gets no --mtu, so a small TUN MTU (MSS 88) is no gap for a peer
// whose registry declares an --mtu range; for DTLS it still is.
TEST(TlsArgv, ATunMtuBelowAPeersMtuRangeIsNoGapUnderTls) {
  PeerCommand p = shim();
  p.capabilities.mtu_min = 256;
  auto sc = scenario::load_scenario_text(kTls13 + "link: {mtu: 128}\n", "t.yaml");
  EXPECT_EQ(capability_gap(sc, p, false), std::nullopt);
  sc.protocol = "dtls1.2";
  ASSERT_TRUE(capability_gap(sc, p, false));
  EXPECT_NE(capability_gap(sc, p, false)->find("--mtu 128"), std::string::npos);
}

TEST(TlsArgv, HostCertificatesAreIssuedForTlsAndDtlsScenarios) {
  const std::string section = "tls:\n  server: {host_certs: [a.example, b.example]}\n";
  const auto sc = scenario::load_scenario_text(kTls13 + section, "t.yaml");
  EXPECT_EQ(pki_host_names(sc), (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(pki_host_names(scenario::load_scenario_text(kDtls + section, "t.yaml")),
            (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_TRUE(pki_host_names(scenario::Scenario{}).empty());
}

// A DTLS scenario's tls: section: each field its flag, as for TLS; without
// one the DTLS argv is what it always was (the server asks for a client
// certificate by the DTLS default, so no --client-cert).
TEST(DtlsArgv, TheTlsSectionsFlagsAndNothingWithoutIt) {
  const auto plain = scenario::load_scenario_text(kDtls, "t.yaml");
  ArgvInputs no_hosts = inputs("server");
  no_hosts.pki.hosts.clear();  // pki_host_names(plain) is empty: the run's PKI issues none
  const Argv server0 = peer_argv(plain, shim(), no_hosts);
  for (const char* flag : {"--host-cert", "--unknown-sni", "--client-cert", "--alpn"})
    EXPECT_EQ(std::find(server0.begin(), server0.end(), flag), server0.end()) << flag;
  const Argv client0 = peer_argv(plain, shim(), inputs("client"));
  EXPECT_EQ(std::find(client0.begin(), client0.end(), "--cert"), client0.end());
  const auto sc = scenario::load_scenario_text(kDtls +
                                                   "tls:\n  server_name: a.example\n  client: {alpn: [x]}\n"
                                                   "  server: {host_certs: [a.example], unknown_sni: alert, "
                                                   "client_cert: optional}\n",
                                               "t.yaml");
  const Argv server = peer_argv(sc, shim(), inputs("server"));
  EXPECT_EQ(Argv(server.begin() + 7, server.begin() + 15),
            (Argv{"--cert", "/p/server.pem", "--key", "/p/server.key", "--host-cert",
                  "a.example=/p/host-a.example.pem:/p/host-a.example.key", "--unknown-sni", "alert"}));
  EXPECT_EQ(Argv(server.begin() + 15, server.begin() + 17), (Argv{"--client-cert", "optional"}));
  const Argv client = peer_argv(sc, shim(), inputs("client"));
  EXPECT_EQ(Argv(client.begin() + 7, client.begin() + 15),
            (Argv{"--server-name", "a.example", "--cert", "/p/client.pem", "--key", "/p/client.key", "--alpn", "x"}));
  // A peer that does not declare --server-name still gets the scenario's host: it must refuse (127), not run without.
  PeerCommand bare = shim();
  bare.capabilities.options = std::vector<std::string>{};
  const Argv to_bare = peer_argv(sc, bare, inputs("client"));
  EXPECT_NE(std::find(to_bare.begin(), to_bare.end(), "a.example"), to_bare.end());
}

// No SNI (issue 10): server_name none -> the client's --no-server-name in
// place of --server-name (for every peer: one without it answers 127), and
// server.ip_cert -> the server's --ip-cert with the PKI's IP certificate,
// issued for the server's --listen address; TLS and DTLS alike.
TEST(TlsArgv, NoServerNameAndTheIpCertificate) {
  const std::string section = "tls:\n  server_name: none\n  server: {ip_cert: true}\n";
  PeerCommand bare = shim();
  bare.capabilities.options = std::vector<std::string>{};
  ArgvInputs server_in = inputs("server");
  server_in.pki.hosts.clear();
  server_in.pki.ip_cert = "/p/ip.pem";
  server_in.pki.ip_key = "/p/ip.key";
  for (const std::string& header : {kTls13, kDtls}) {
    const auto sc = scenario::load_scenario_text(header + section, "t.yaml");
    for (const PeerCommand& peer : {shim(), bare}) {
      const Argv client = peer_argv(sc, peer, inputs("client"));
      EXPECT_NE(std::find(client.begin(), client.end(), "--no-server-name"), client.end()) << header;
      EXPECT_EQ(std::find(client.begin(), client.end(), "--server-name"), client.end()) << header;
    }
    const Argv server = peer_argv(sc, shim(), server_in);
    auto it = std::find(server.begin(), server.end(), "--ip-cert");
    ASSERT_NE(it, server.end()) << header;
    EXPECT_EQ(*(it + 1), "/p/ip.pem:/p/ip.key");
    // A PKI without the IP certificate is the harness's mistake, not a run without --ip-cert.
    EXPECT_THROW(peer_argv(sc, shim(), inputs("server")), std::logic_error);
    EXPECT_EQ(pki_ip_address(sc, "198.18.0.2:0"), "198.18.0.2");
    EXPECT_EQ(pki_ip_address(sc, "[2001:db8::2]:0"), "2001:db8::2");
    EXPECT_EQ(pki_ip_address(sc, "127.0.0.1:0"), "127.0.0.1");
  }
  const auto plain = scenario::load_scenario_text(kTls13, "t.yaml");
  EXPECT_EQ(pki_ip_address(plain, "198.18.0.2:0"), "");
  const Argv server = peer_argv(plain, shim(), server_in);
  EXPECT_EQ(std::find(server.begin(), server.end(), "--ip-cert"), server.end());
}

// The handshake limit a TLS peer is given stays in the contract's 2..120 s,
// whatever the run deadline makes of it.
TEST(TlsArgv, TheHandshakeLimitStaysInTheTlsRange) {
  auto sc = scenario::load_scenario_text(kTls13 + "timeouts: {run_s: 3}\n", "t.yaml");
  EXPECT_EQ(handshake_timeout_ms(sc), 2000);
  sc = scenario::load_scenario_text(kTls13 + "timeouts: {run_s: 600}\n", "t.yaml");
  EXPECT_EQ(handshake_timeout_ms(sc), 120000);
  sc = scenario::load_scenario_text(kTls13 + "peers: {handshake_timeout_ms: 3000}\n", "t.yaml");
  EXPECT_EQ(handshake_timeout_ms(sc), 3000);
  sc.protocol = "tcp";  // TCP keeps its own range
  sc.run_timeout_s = 600;
  sc.peers.handshake_timeout_ms.reset();
  EXPECT_EQ(handshake_timeout_ms(sc), 597000);
}

}  // namespace
}  // namespace wireproof::runner
