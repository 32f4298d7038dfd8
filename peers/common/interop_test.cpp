// Runs the real shims against each other on 127.0.0.1 (no impairment): every
// client x server pair must finish the handshake and the echo with matching
// digests; contract error paths (127, wrong CA, silent server) must end the
// process with the contract's exit code. The binaries come from CMake
// (WP_PEER_OPENSSL / WP_PEER_GNUTLS).
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

#include "harness/pki/pki.hpp"
#include "peers/common/test_peer.hpp"
#include "impl/crypto/test_util.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using nlohmann::json;
using wireproof::peers::testing::TestPeer;

namespace {

const std::map<std::string, std::string> kPeers = {{"openssl", WP_PEER_OPENSSL}, {"gnutls", WP_PEER_GNUTLS}};

struct TempDir : wireproof::crypto::testing::TempDir {
  TempDir() : wireproof::crypto::testing::TempDir("wp_interop") {}
};

// A shim by registry name, with the contract's arguments.
std::vector<std::string> command(const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), kPeers.at(name));
  return args;
}

std::vector<std::string> server_args(const wireproof::pki::PkiFiles& pki) {
  return {"--role", "server", "--protocol", "dtls1.2", "--listen", "127.0.0.1:0", "--cert", pki.server_cert.string(),
          "--key", pki.server_key.string(), "--ca", pki.ca_cert.string(), "--echo-bytes", "20000", "--chunk", "1000",
          "--handshake-timeout-ms", "10000", "--idle-timeout-ms", "3000"};
}

std::vector<std::string> client_args(int port, const fs::path& ca) {
  return {"--role", "client", "--protocol", "dtls1.2", "--connect", "127.0.0.1:" + std::to_string(port), "--ca",
          ca.string(), "--server-name", "localhost", "--echo-bytes", "20000", "--chunk", "1000",
          "--handshake-timeout-ms", "10000", "--idle-timeout-ms", "3000"};
}

int ready_port(TestPeer& server) {
  json ready = server.next_event();
  EXPECT_EQ(ready.value("event", ""), "ready") << ready.dump();
  return ready.value("port", 0);
}

class InteropPair : public ::testing::TestWithParam<std::pair<std::string, std::string>> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");
};

TEST_P(InteropPair, HandshakeAndEchoWithMatchingDigests) {
  const auto& [client_name, server_name] = GetParam();
  TestPeer server(command(server_name, server_args(pki)), dir.path / "server.err");
  int port = ready_port(server);
  ASSERT_GT(port, 0);
  TestPeer client(command(client_name, client_args(port, pki.ca_cert)), dir.path / "client.err");
  int client_rc = client.finish();
  int server_rc = server.finish();
  ASSERT_EQ(client_rc, 0) << client.transcript();
  ASSERT_EQ(server_rc, 0) << server.transcript();

  for (TestPeer* p : {&client, &server}) {
    json hs = p->event("handshake_done");
    EXPECT_EQ(hs.value("version", ""), "DTLSv1.2") << p->transcript();
    EXPECT_FALSE(hs.value("cipher", "").empty());
    for (const auto& e : p->events()) EXPECT_TRUE(e.is_object() && e.contains("t_ms")) << e.dump();
  }
  EXPECT_EQ(client.event("handshake_done")["cipher"], server.event("handshake_done")["cipher"]);

  json c = client.event("app_data"), s = server.event("app_data");
  EXPECT_EQ(c["chunks"], 20);
  EXPECT_EQ(c["bytes"], 20000);
  EXPECT_EQ(c["sent_sha256"], c["echoed_sha256"]);
  EXPECT_EQ(s["received_sha256"], c["sent_sha256"]);
  EXPECT_EQ(s["unique_chunks"], 20);
  EXPECT_LE(s["duplicates"].get<int>(), c["resent"].get<int>());
  EXPECT_EQ(client.event("closed")["reason"], "done");
}

INSTANTIATE_TEST_SUITE_P(AllPairs, InteropPair,
                         ::testing::Values(std::pair{"openssl", "openssl"}, std::pair{"openssl", "gnutls"},
                                           std::pair{"gnutls", "openssl"}, std::pair{"gnutls", "gnutls"}),
                         [](const auto& info) { return info.param.first + "_to_" + info.param.second; });

class EachPeer : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");
};

TEST_P(EachPeer, UnknownOptionExits127WithUnsupportedEvent) {
  auto args = server_args(pki);
  args.push_back("--frobnicate");
  TestPeer p(command(GetParam(), args), dir.path / "p.err");
  EXPECT_EQ(p.finish(), 127);
  EXPECT_EQ(p.event("error").value("message", ""), "unsupported: --frobnicate") << p.transcript();
}

TEST_P(EachPeer, VersionNamesTheImplementation) {
  TestPeer p(command(GetParam(), {"--version"}), dir.path / "p.err");
  EXPECT_EQ(p.finish(), 0);
  json v = p.event("version");
  EXPECT_EQ(v.value("implementation", ""), GetParam() == "openssl" ? "OpenSSL" : "GnuTLS") << p.transcript();
  EXPECT_FALSE(v.value("version", "").empty());
}

TEST_P(EachPeer, ClientWithWrongCaFailsTheHandshake) {
  auto other = wireproof::pki::generate_pki(dir.path / "other");
  // The server is the other implementation, so both directions of alerting are exercised.
  TestPeer server(command(GetParam() == "openssl" ? "gnutls" : "openssl", server_args(pki)), dir.path / "server.err");
  int port = ready_port(server);
  TestPeer client(command(GetParam(), client_args(port, other.ca_cert)), dir.path / "client.err");
  EXPECT_EQ(client.finish(), 1) << client.transcript();
  EXPECT_EQ(server.finish(), 1) << server.transcript();
  json alert = client.event("alert");
  EXPECT_EQ(alert.value("direction", ""), "sent") << client.transcript();
  EXPECT_EQ(alert.value("level", ""), "fatal");
  EXPECT_FALSE(client.event("error").is_null());
  EXPECT_TRUE(client.event("handshake_done").is_null());
  EXPECT_EQ(server.event("alert").value("direction", ""), "received") << server.transcript();
}

TEST_P(EachPeer, ClientRejectsAServerCertificateForAnotherName) {
  TestPeer server(command(GetParam(), server_args(pki)), dir.path / "server.err");
  int port = ready_port(server);
  auto args = client_args(port, pki.ca_cert);
  args[9] = "not-this-host.example";  // --server-name value
  TestPeer client(command(GetParam(), args), dir.path / "client.err");
  EXPECT_EQ(client.finish(), 1) << client.transcript();
  server.finish();
  EXPECT_TRUE(client.event("handshake_done").is_null());
}

TEST_P(EachPeer, ServerVerifiesAClientCertificateWhenOneIsSent) {
  auto other = wireproof::pki::generate_pki(dir.path / "other");
  const std::string client_impl = GetParam() == "openssl" ? "gnutls" : "openssl";
  for (bool trusted : {true, false}) {
    const auto& client_pki = trusted ? pki : other;
    TestPeer server(command(GetParam(), server_args(pki)), dir.path / "server.err");
    int port = ready_port(server);
    auto args = client_args(port, pki.ca_cert);
    for (const auto& s : {std::string("--cert"), client_pki.client_cert.string(), std::string("--key"),
                          client_pki.client_key.string()})
      args.push_back(s);
    TestPeer client(command(client_impl, args), dir.path / "client.err");
    int client_rc = client.finish();
    int server_rc = server.finish();
    EXPECT_EQ(server_rc, trusted ? 0 : 1) << "trusted=" << trusted << "\n" << server.transcript();
    EXPECT_EQ(client_rc, trusted ? 0 : 1) << "trusted=" << trusted << "\n" << client.transcript();
    if (!trusted) {
      EXPECT_EQ(server.event("alert").value("direction", ""), "sent") << server.transcript();
    }
  }
}

TEST_P(EachPeer, SilentServerEndsTheClientAtTheHandshakeTimeout) {
  // A bound socket nobody reads: no ICMP error, no answer.
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto args = client_args(ntohs(addr.sin_port), pki.ca_cert);
  args[15] = "400";  // --handshake-timeout-ms value
  for (auto s : {"--timer-initial-ms", "100"}) args.push_back(s);
  TestPeer client(command(GetParam(), args), dir.path / "client.err");
  EXPECT_EQ(client.finish(std::chrono::seconds(10)), 1) << client.transcript();
  ::close(fd);
  EXPECT_NE(client.event("error").value("message", "").find("handshake"), std::string::npos) << client.transcript();
}

TEST_P(EachPeer, BadFlagValueIsAUsageError) {
  auto args = server_args(pki);
  for (auto s : {"--mtu", "12"}) args.push_back(s);
  TestPeer p(command(GetParam(), args), dir.path / "p.err");
  EXPECT_EQ(p.finish(), 3) << p.transcript();
}

INSTANTIATE_TEST_SUITE_P(Shims, EachPeer, ::testing::Values("openssl", "gnutls"),
                         [](const auto& info) { return info.param; });

}  // namespace
