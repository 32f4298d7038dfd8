// wireproof-stock over TCP (TLS 1.2 / 1.3): real openssl s_client/s_server
// and gnutls-cli/gnutls-serv on loopback, each as client and server with
// each other. The echo verifies, both sides report the version asked for
// and the same suite, `connected` names the real TCP endpoints, the key-log
// files hold the secrets the version needs; the TLS contract's command-line
// rules (127 / 3) and --client-cert required are honoured.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "harness/dissect/key_log.hpp"
#include "harness/pki/pki.hpp"
#include "peers/stock/wrapper_under_test.hpp"

namespace wireproof::stock {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class StockTls : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("wp-stock-tls-" + std::to_string(::getpid()) + "-" + name);
    pki_ = pki::generate_pki(dir_ / "pki");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> server_args(const std::string& protocol) const {
    return {"--role", "server", "--protocol", protocol, "--listen", "127.0.0.1:0",
            "--cert", pki_.server_cert.string(), "--key", pki_.server_key.string(), "--ca", pki_.ca_cert.string(),
            "--echo-bytes", "5000", "--handshake-timeout-ms", "8000", "--idle-timeout-ms", "4000"};
  }
  std::vector<std::string> client_args(const std::string& protocol, int port) const {
    return {"--role", "client", "--protocol", protocol, "--connect", "127.0.0.1:" + std::to_string(port),
            "--server-name", "localhost", "--ca", pki_.ca_cert.string(), "--echo-bytes", "5000",
            "--handshake-timeout-ms", "8000", "--idle-timeout-ms", "4000"};
  }
  // The exit code of a wrapper that must refuse its command line at once.
  int refused(const std::string& tool, std::vector<std::string> args) {
    Wrapper w(tool, std::move(args));
    return w.wait_exit(milliseconds(5000));
  }

  fs::path dir_;
  pki::PkiFiles pki_;
};

// The events' order, by name.
std::vector<std::string> names(const Wrapper& w) {
  std::vector<std::string> out;
  for (const auto& e : w.events()) out.push_back(e.value("event", ""));
  return out;
}
std::ptrdiff_t index_of(const std::vector<std::string>& v, const std::string& name) {
  return std::find(v.begin(), v.end(), name) - v.begin();
}

// "127.0.0.1:4433" -> 4433
int port_of(const json& endpoint) {
  const std::string s = endpoint.get<std::string>();
  return std::stoi(s.substr(s.rfind(':') + 1));
}

using Pair = std::tuple<std::string, std::string, std::string>;  // client tool, server tool, protocol

class StockTlsPair : public StockTls, public ::testing::WithParamInterface<Pair> {};

TEST_P(StockTlsPair, EchoesWithTheVersionAskedForAndWritesTheKeyLog) {
  const auto& [client_tool, server_tool, protocol] = GetParam();
  const std::string version = protocol == "tls1.3" ? "TLSv1.3" : "TLSv1.2";
  const fs::path client_log = dir_ / "keylog-client.txt", server_log = dir_ / "keylog-server.txt";

  auto sargs = server_args(protocol);
  sargs.insert(sargs.end(), {"--key-log", server_log.string()});
  Wrapper server(server_tool, sargs);
  auto ready = server.wait_event("ready");
  ASSERT_TRUE(ready && ready->contains("port")) << server.log();
  const int port = (*ready)["port"];
  // --mtu is accepted over TCP (the interface MTU is the wire's).
  auto cargs = client_args(protocol, port);
  cargs.insert(cargs.end(), {"--key-log", client_log.string(), "--mtu", "1500"});
  Wrapper client(client_tool, cargs);
  ASSERT_EQ(client.wait_exit(), 0) << client.log();
  ASSERT_EQ(server.wait_exit(), 0) << server.log();

  for (Wrapper* w : {&client, &server}) {
    auto hs = w->event("handshake_done");
    ASSERT_TRUE(hs) << w->log();
    EXPECT_EQ((*hs)["version"], version) << w->log();
    EXPECT_EQ((*hs)["resumed"], false);
    EXPECT_EQ((*hs)["connection"], 1);
    EXPECT_TRUE(hs->contains("cipher_iana")) << w->log();
    // TCP up before the handshake's end, as the kernel listed it.
    auto order = names(*w);
    EXPECT_LT(index_of(order, "connected"), index_of(order, "handshake_done")) << w->log();
  }
  EXPECT_EQ((*client.event("handshake_done"))["cipher"], (*server.event("handshake_done"))["cipher"]);
  if (protocol == "tls1.3") {
    EXPECT_EQ((*client.event("handshake_done"))["cipher"].get<std::string>().rfind("TLS_", 0), 0u);
  }
  // Each side's connected event is the other's, mirrored.
  auto cc = client.event("connected"), sc = server.event("connected");
  ASSERT_TRUE(cc && sc && cc->contains("local") && sc->contains("local")) << client.log() << server.log();
  EXPECT_EQ(port_of((*cc)["remote"]), port);
  EXPECT_EQ(port_of((*sc)["local"]), port);
  EXPECT_EQ((*cc)["local"], (*sc)["remote"]);

  auto c = client.event("app_data"), s = server.event("app_data");
  ASSERT_TRUE(c && s) << client.log() << server.log();
  EXPECT_EQ((*c)["bytes"], 5000);
  EXPECT_EQ((*c)["echoed_chunks"], 45);
  EXPECT_EQ((*c)["sent_sha256"], (*c)["echoed_sha256"]);
  EXPECT_EQ((*s)["received_sha256"], (*c)["sent_sha256"]);
  EXPECT_EQ((*s)["unique_chunks"], 45);
  EXPECT_EQ((*s)["duplicates"], 0) << server.log();  // each record counted once, however the tool logs it

  // Both key logs parse and hold what decrypting this version needs.
  const std::vector<std::string> labels =
      protocol == "tls1.3" ? std::vector<std::string>{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                                      "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"}
                           : std::vector<std::string>{"CLIENT_RANDOM"};
  for (const auto& file : {client_log, server_log}) {
    const std::string text = read_file(file);
    auto parsed = dissect::parse_key_log(text);
    EXPECT_TRUE(parsed.errors.empty()) << file << ": " << (parsed.errors.empty() ? "" : parsed.errors[0]);
    EXPECT_EQ(parsed.log.connections(), 1u) << file << "\n" << text;
    for (const auto& label : labels) EXPECT_NE(text.find(label + " "), std::string::npos) << file << " lacks " << label;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllPairs, StockTlsPair,
    ::testing::Combine(::testing::Values("openssl-cli", "gnutls-cli"), ::testing::Values("openssl-cli", "gnutls-cli"),
                       ::testing::Values("tls1.2", "tls1.3")),
    [](const auto& info) {
      auto name = [](std::string s) {
        return s.substr(0, s.find('-'));
      };
      std::string p = std::get<2>(info.param);
      p.erase(std::remove(p.begin(), p.end(), '.'), p.end());
      return name(std::get<0>(info.param)) + "_to_" + name(std::get<1>(info.param)) + "_" + p;
    });

TEST_F(StockTls, TheTlsContractsCommandLineRules) {
  for (const char* tool : {"openssl-cli", "gnutls-cli"}) {
    auto args = client_args("tls1.3", 4433);
    args.insert(args.end(), {"--timer-initial-ms", "1000"});  // a DTLS-only flag
    EXPECT_EQ(refused(tool, args), 127) << tool;
    args = client_args("tls1.2", 4433);
    args.insert(args.end(), {"--key-update"});  // TLS 1.3 only
    EXPECT_EQ(refused(tool, args), 3) << tool;
    args = client_args("tls1.3", 4433);
    args.at(args.size() - 3) = "1000";  // --handshake-timeout-ms below 2000
    EXPECT_EQ(refused(tool, args), 3) << tool;
    args = client_args("tls1.3", 4433);
    args.insert(args.end(), {"--resume"});  // neither tool's wrapper can run two connections
    EXPECT_EQ(refused(tool, args), 127) << tool;
    args = client_args("tls1.3", 4433);
    args.insert(args.end(), {"--max-fragment-length", "1000"});
    EXPECT_EQ(refused(tool, args), 3) << tool;
    args = server_args("tls1.3");
    args.insert(args.end(), {"--client-cert", "sometimes"});
    EXPECT_EQ(refused(tool, args), 3) << tool;
    args = client_args("tls1.3", 4433);
    args.insert(args.end(), {"--client-cert", "required"});  // a server's option
    EXPECT_EQ(refused(tool, args), 3) << tool;
  }
  // The flags each tool really lacks: gnutls-cli has no max_fragment_length alone, s_client no record_size_limit.
  auto args = client_args("tls1.3", 4433);
  args.insert(args.end(), {"--max-fragment-length", "1024"});
  EXPECT_EQ(refused("gnutls-cli", args), 127);
  args = client_args("tls1.3", 4433);
  args.insert(args.end(), {"--record-size-limit", "1024"});
  EXPECT_EQ(refused("openssl-cli", args), 127);
  // TLS-only flags on DTLS: the DTLS sections do not map them (--key-log they do:
  // the runner passes it to every key-log peer, DTLS runs included).
  args = client_args("dtls1.2", 4433);
  args.insert(args.end(), {"--alpn", "h2"});
  EXPECT_EQ(refused("openssl-cli", args), 127);
}

// ALPN: gnutls-cli offers each protocol in order (one --alpn per item) and
// reports the one agreed; s_server picks by its own order.
TEST_F(StockTls, AlpnIsOfferedInOrderAndReported) {
  for (const std::optional<std::string>& offer : {std::optional<std::string>("http/1.1,h2"), std::optional<std::string>()}) {
    auto sargs = server_args("tls1.3");
    sargs.insert(sargs.end(), {"--alpn", "h2,http/1.1"});
    Wrapper server("openssl-cli", sargs);
    auto ready = server.wait_event("ready");
    ASSERT_TRUE(ready) << server.log();
    auto cargs = client_args("tls1.3", (*ready)["port"]);
    if (offer) cargs.insert(cargs.end(), {"--alpn", *offer});
    Wrapper client("gnutls-cli", cargs);
    ASSERT_EQ(client.wait_exit(), 0) << client.log();
    EXPECT_EQ(server.wait_exit(), 0) << server.log();
    auto hs = client.event("handshake_done");
    ASSERT_TRUE(hs && hs->contains("alpn")) << client.log();
    if (offer) {
      EXPECT_EQ((*hs)["alpn"], "h2") << client.log();
    } else {
      EXPECT_TRUE((*hs)["alpn"].is_null()) << client.log();
    }
  }
  // gnutls-serv would pick by the client's order: not what the contract's server --alpn means.
  auto sargs = server_args("tls1.3");
  sargs.insert(sargs.end(), {"--alpn", "h2"});
  EXPECT_EQ(refused("gnutls-cli", sargs), 127);
}

// IPv6: the tools get "[addr]:port" (s_server -accept, s_client -connect) or the bare address (gnutls-cli).
TEST_F(StockTls, EchoesOverIpv6Loopback) {
  for (const auto& [client_tool, server_tool] : {std::pair{"gnutls-cli", "openssl-cli"}, std::pair{"openssl-cli", "openssl-cli"}}) {
    auto sargs = server_args("tls1.2");
    sargs.at(5) = "[::1]:0";  // --listen
    Wrapper server(server_tool, sargs);
    auto ready = server.wait_event("ready");
    ASSERT_TRUE(ready) << server.log();
    auto cargs = client_args("tls1.2", (*ready)["port"]);
    cargs.at(5) = "[::1]:" + std::to_string((*ready)["port"].get<int>());  // --connect
    Wrapper client(client_tool, cargs);
    ASSERT_EQ(client.wait_exit(), 0) << client_tool << "\n" << client.log();
    EXPECT_EQ(server.wait_exit(), 0) << server.log();
    auto cc = client.event("connected");
    ASSERT_TRUE(cc && cc->contains("remote")) << client.log();
    EXPECT_EQ((*cc)["remote"], "[::1]:" + std::to_string((*ready)["port"].get<int>()));
  }
}

// --key-update (TLS 1.3): s_client is told "K" after half the chunks; gnutls-serv
// logs the KeyUpdate it received (update_requested) and the one it answers with.
TEST_F(StockTls, AClientKeyUpdateReachesTheServerMidEcho) {
  Wrapper server("gnutls-cli", server_args("tls1.3"));
  auto ready = server.wait_event("ready");
  ASSERT_TRUE(ready) << server.log();
  auto cargs = client_args("tls1.3", (*ready)["port"]);
  cargs.push_back("--key-update");
  Wrapper client("openssl-cli", cargs);
  ASSERT_EQ(client.wait_exit(), 0) << client.log();
  ASSERT_EQ(server.wait_exit(), 0) << server.log();
  auto sent = client.event("key_update");
  ASSERT_TRUE(sent) << client.log();
  EXPECT_EQ((*sent)["direction"], "sent");
  EXPECT_EQ((*sent)["update_requested"], true);
  std::vector<json> at_server;
  for (const auto& e : server.events())
    if (e.value("event", "") == "key_update") at_server.push_back(e);
  ASSERT_EQ(at_server.size(), 2u) << server.log();
  EXPECT_EQ(at_server[0]["direction"], "received");
  EXPECT_EQ(at_server[0]["update_requested"], true);
  EXPECT_EQ(at_server[1]["direction"], "sent");
  EXPECT_EQ(at_server[1]["update_requested"], false);  // the answer does not ask again (RFC 8446 4.6.3)
  auto c = client.event("app_data"), s = server.event("app_data");
  ASSERT_TRUE(c && s);
  EXPECT_EQ((*c)["sent_sha256"], (*c)["echoed_sha256"]);
  EXPECT_EQ((*s)["unique_chunks"], 45);  // the "K" command line is no chunk and nothing else went missing
  EXPECT_EQ((*s)["malformed"], 0);
  // gnutls-cli has no way to send one.
  auto gargs = client_args("tls1.3", 4433);
  gargs.push_back("--key-update");
  EXPECT_EQ(refused("gnutls-cli", gargs), 127);
}

// A client that does not trust the server's CA: it refuses with an alert, and
// both ends fail at once, not at the handshake timeout (gnutls-serv would keep listening).
TEST_F(StockTls, AnUntrustedServerFailsBothEndsWithTheAlert) {
  const auto other = pki::generate_pki(dir_ / "other");
  for (const char* server_tool : {"openssl-cli", "gnutls-cli"}) {
    Wrapper server(server_tool, server_args("tls1.3"));
    auto ready = server.wait_event("ready");
    ASSERT_TRUE(ready) << server.log();
    auto cargs = client_args("tls1.3", (*ready)["port"]);
    cargs.at(9) = other.ca_cert.string();  // --ca
    Wrapper client("gnutls-cli", cargs);
    const auto start = Clock::now();
    EXPECT_EQ(client.wait_exit(), 1) << client.log();
    EXPECT_EQ(server.wait_exit(), 1) << server.log();
    EXPECT_LT(Clock::now() - start, milliseconds(5000)) << server_tool << ": ended by the 8 s handshake timeout";
    auto sent = client.event("alert"), got = server.event("alert");
    ASSERT_TRUE(sent && got) << client.log() << server.log();
    EXPECT_EQ((*sent)["direction"], "sent");
    EXPECT_EQ((*got)["direction"], "received");
    EXPECT_EQ((*got)["description"], (*sent)["description"]) << server.log();
    EXPECT_TRUE(server.event("error")) << server.log();
    EXPECT_FALSE(server.event("handshake_done")) << server.log();
  }
}

// --client-cert required: without a certificate the client is refused; with one it is let in.
TEST_F(StockTls, ARequiredClientCertificateIsRequired) {
  for (const char* server_tool : {"openssl-cli", "gnutls-cli"}) {
    for (bool with_cert : {false, true}) {
      auto sargs = server_args("tls1.3");
      sargs.insert(sargs.end(), {"--client-cert", "required"});
      Wrapper server(server_tool, sargs);
      auto ready = server.wait_event("ready");
      ASSERT_TRUE(ready) << server.log();
      auto cargs = client_args("tls1.3", (*ready)["port"]);
      if (with_cert) cargs.insert(cargs.end(), {"--cert", pki_.client_cert.string(), "--key", pki_.client_key.string()});
      Wrapper client("openssl-cli", cargs);
      const int client_rc = client.wait_exit(), server_rc = server.wait_exit();
      if (with_cert) {
        EXPECT_EQ(server_rc, 0) << server_tool << "\n" << server.log();
        EXPECT_EQ(client_rc, 0) << client.log();
      } else {
        EXPECT_NE(server_rc, 0) << server_tool << "\n" << server.log();
        EXPECT_FALSE(server.event("app_data") && (*server.event("app_data"))["bytes"] == 5000) << server.log();
        EXPECT_TRUE(server.event("error") || server.event("alert")) << server.log();
      }
    }
  }
}

}  // namespace
}  // namespace wireproof::stock
