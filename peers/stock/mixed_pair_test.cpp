// Mixed pairs under --framing lines: a contract shim (wireproof-peer-openssl /
// -gnutls) against a stock tool wrapped by wireproof-stock, in both roles,
// echoing 5000 bytes on 127.0.0.1: DTLS 1.2 over UDP between the same
// library's shim and tool, and TLS 1.2 / 1.3 over TCP between every shim and
// every tool. Both must exit 0, the digests must agree across the two
// app_data events, and both handshake_done events must name the version
// asked for. Without --framing lines on the shim the pair must fail: that is
// the mismatch the flag exists for.
// Stock tools have no --timer-initial-ms (127), so it is never passed.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
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

struct TempDir : wireproof::crypto::testing::TempDir {
  TempDir() : wireproof::crypto::testing::TempDir("wp_mixed") {}
};

// A peer by registry-like name: "openssl"/"gnutls" are shims, "*-cli" stock tools.
std::vector<std::string> command_for(const std::string& name) {
  if (name == "openssl") return {WP_PEER_OPENSSL};
  if (name == "gnutls") return {WP_PEER_GNUTLS};
  return {WP_STOCK_EXE, "--registry", WP_REGISTRY, "--tool", name};
}

// A peer by name (shim or stock tool) with the contract's arguments.
std::vector<std::string> command(const std::string& name, const std::vector<std::string>& contract_args) {
  auto argv = command_for(name);
  argv.insert(argv.end(), contract_args.begin(), contract_args.end());
  return argv;
}

std::vector<std::string> workload(const std::string& protocol) {
  return {"--protocol", protocol, "--echo-bytes", "5000", "--chunk", "1000", "--handshake-timeout-ms", "10000",
          "--idle-timeout-ms", "4000"};
}

std::vector<std::string> server_args(const std::string& protocol, const wireproof::pki::PkiFiles& pki, bool lines) {
  std::vector<std::string> a{"--role", "server", "--listen", "127.0.0.1:0", "--cert", pki.server_cert.string(),
                             "--key", pki.server_key.string(), "--ca", pki.ca_cert.string()};
  auto w = workload(protocol);
  a.insert(a.end(), w.begin(), w.end());
  if (lines) a.insert(a.end(), {"--framing", "lines"});
  return a;
}

std::vector<std::string> client_args(const std::string& protocol, int port, const wireproof::pki::PkiFiles& pki,
                                     bool lines) {
  std::vector<std::string> a{"--role", "client", "--connect", "127.0.0.1:" + std::to_string(port), "--ca",
                             pki.ca_cert.string(), "--server-name", "localhost"};
  auto w = workload(protocol);
  a.insert(a.end(), w.begin(), w.end());
  if (lines) a.insert(a.end(), {"--framing", "lines"});
  return a;
}

// handshake_done's "version" for the protocol asked for.
std::string version_name(const std::string& protocol) {
  if (protocol == "dtls1.2") return "DTLSv1.2";
  return protocol == "tls1.3" ? "TLSv1.3" : "TLSv1.2";
}

struct Pair {
  std::string client, server, protocol;
};
// For gtest's messages and ctest's test list.
void PrintTo(const Pair& p, std::ostream* os) { *os << p.client << " -> " << p.server << " " << p.protocol; }

// TLS: each shim with each stock tool, in both roles, for both versions.
std::vector<Pair> tls_pairs() {
  std::vector<Pair> pairs;
  for (const char* protocol : {"tls1.2", "tls1.3"})
    for (const char* shim : {"openssl", "gnutls"})
      for (const char* tool : {"openssl-cli", "gnutls-cli"}) {
        pairs.push_back({shim, tool, protocol});
        pairs.push_back({tool, shim, protocol});
      }
  return pairs;
}

std::string pair_name(const ::testing::TestParamInfo<Pair>& info) {
  std::string n = info.param.client + "_to_" + info.param.server + "_" + info.param.protocol;
  for (auto& ch : n)
    if (ch == '-' || ch == '.') ch = '_';
  return n;
}

class MixedPair : public ::testing::TestWithParam<Pair> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");
};

TEST_P(MixedPair, EchoesWithLineFramingAndAgreeingDigests) {
  const auto& [client_name, server_name, protocol] = GetParam();
  TestPeer server(command(server_name, server_args(protocol, pki, true)), dir.path / "server.err");
  json ready = server.next_event();
  ASSERT_EQ(ready.value("event", ""), "ready") << ready.dump();
  const int port = ready.value("port", 0);
  ASSERT_GT(port, 0);
  TestPeer client(command(client_name, client_args(protocol, port, pki, true)), dir.path / "client.err");
  const int client_rc = client.finish();
  const int server_rc = server.finish();
  ASSERT_EQ(client_rc, 0) << client.transcript();
  ASSERT_EQ(server_rc, 0) << server.transcript();
  for (const TestPeer* p : {&client, &server})
    EXPECT_EQ(p->event("handshake_done").value("version", ""), version_name(protocol)) << p->transcript();
  EXPECT_EQ(client.event("handshake_done")["cipher_iana"], server.event("handshake_done")["cipher_iana"])
      << client.transcript() << server.transcript();

  json c = client.event("app_data"), s = server.event("app_data");
  ASSERT_TRUE(c.is_object() && s.is_object()) << client.transcript() << server.transcript();
  EXPECT_EQ(c["sent_sha256"], c["echoed_sha256"]) << c.dump();
  EXPECT_EQ(s["received_sha256"], c["sent_sha256"]) << c.dump() << "\n" << s.dump();
  EXPECT_FALSE(c.value("sent_sha256", "").empty());
  for (const json* e : {&c, &s}) {
    EXPECT_EQ((*e)["framing"], "lines") << e->dump();
    EXPECT_EQ((*e)["chunk"], 112) << e->dump();  // --chunk 1000 capped so a line fits 254 bytes
    EXPECT_EQ((*e)["malformed"], 0) << e->dump();
  }
  EXPECT_EQ(c["chunks"], 45);
  EXPECT_EQ(c["echoed_chunks"], 45);
  EXPECT_EQ(s["unique_chunks"], 45);
  EXPECT_EQ(s["bytes"], 5000);
  EXPECT_LE(s["duplicates"].get<int>(), c["resent"].get<int>());
}

INSTANTIATE_TEST_SUITE_P(ShimAndStock, MixedPair,
                         ::testing::Values(Pair{"openssl", "openssl-cli", "dtls1.2"},
                                           Pair{"gnutls-cli", "gnutls", "dtls1.2"},
                                           Pair{"gnutls", "gnutls-cli", "dtls1.2"},
                                           Pair{"openssl-cli", "openssl", "dtls1.2"}),
                         pair_name);
INSTANTIATE_TEST_SUITE_P(ShimAndStockTls, MixedPair, ::testing::ValuesIn(tls_pairs()), pair_name);

TEST(MixedPairMismatch, ShimServerWithoutLineFramingFailsAStockClient) {
  TempDir dir;
  auto pki = wireproof::pki::generate_pki(dir.path / "pki");
  TestPeer server(command("gnutls", server_args("dtls1.2", pki, false)), dir.path / "server.err");
  json ready = server.next_event();
  ASSERT_EQ(ready.value("event", ""), "ready") << ready.dump();
  TestPeer client(command("gnutls-cli", client_args("dtls1.2", ready.value("port", 0), pki, true)),
                  dir.path / "client.err");
  client.finish();
  // The binary server reads "WP 00000" as a chunk index: wrong chunks, so no verified transfer.
  EXPECT_EQ(server.finish(), 2) << server.transcript();
  EXPECT_NE(server.event("app_data").value("received_sha256", ""), client.event("app_data").value("sent_sha256", "x"));
}

}  // namespace
