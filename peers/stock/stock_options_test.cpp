// wireproof-stock's command line (stock_options.hpp) against the shipped
// registry's openssl-cli and gnutls-cli entries: the capabilities each role's
// section gives, 127 naming the flag and the tool, 3 for bad values before
// any capability is asked about, the contract's TLS rules, and the registry
// option keys a parsed run gives.
#include "peers/stock/stock_options.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "peers/common/peer_ending.hpp"

namespace wireproof::stock {
namespace {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

const peers::PeerIdentity kId{"TestStock", "stock test"};

// A real file for the parser's existence checks, named per process (CTest runs tests in parallel).
struct PemFile {
  fs::path path = fs::temp_directory_path() / ("wp_stock_options_test." + std::to_string(::getpid()) + ".pem");
  PemFile() { std::ofstream(path) << "x"; }
  ~PemFile() { fs::remove(path); }
};

class StockOptions : public ::testing::Test {
 protected:
  Args client(const std::string& protocol) const {
    return {"--role", "client", "--protocol", protocol, "--connect", "127.0.0.1:4433", "--ca", pem_.path.string(),
            "--server-name", "localhost"};
  }
  Args server(const std::string& protocol) const {
    const std::string p = pem_.path.string();
    return {"--role", "server", "--protocol", protocol, "--listen", "127.0.0.1:0",
            "--cert", p,        "--key",      p,        "--ca",     p};
  }
  static Args with(Args args, std::initializer_list<std::string> more) {
    args.insert(args.end(), more);
    return args;
  }
  const registry::PeerEntry& entry(const std::string& tool) const { return registry_.find(tool); }
  peers::ParseResult parse(const std::string& tool, const Args& args) const {
    return parse_stock_options(args, entry(tool), kId);
  }
  int exit_of(const std::string& tool, const Args& args) const { return parse(tool, args).exit_code; }
  static std::string message(const peers::ParseResult& r) {
    return nlohmann::json::parse(r.stdout_text).value("message", "");
  }
  // The flags `tool`'s `role` cannot honour for `protocol`; nullptr when it has no section for it.
  const std::vector<std::string>* missing(const std::string& tool, peers::Role role, const std::string& protocol) {
    caps_ = tool_capabilities(entry(tool), role);
    return caps_.missing_for(protocol);
  }

  PemFile pem_;
  registry::Registry registry_ = registry::Registry::load(WIREPROOF_REGISTRY);
  peers::PeerCapabilities caps_;
};

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST_F(StockOptions, EveryContractFlagIsOneTheCommonParserRefusesByCapability) {
  // A contract_flags() entry the parser does not count would never be
  // refused: each one, given to a DTLS-only library, must be its 127.
  const std::string p = pem_.path.string();
  const std::map<std::string, Args> sample = {
      {"--host-cert", {"a.example=" + p + ":" + p}}, {"--unknown-sni", {"alert"}}, {"--alpn", {"h2"}},
      {"--client-cert", {"required"}}, {"--resume", {}}, {"--record-size-limit", {"1024"}},
      {"--max-fragment-length", {"512"}}, {"--key-update", {}}, {"--early-data", {}}, {"--key-log", {"/tmp/k"}},
      {"--groups", {"x25519"}}, {"--plaintext", {}}, {"--ip-cert", {p + ":" + p}}, {"--no-server-name", {}}};
  ASSERT_FALSE(peers::contract_flags().empty());
  for (const auto& flag : peers::contract_flags()) {
    auto it = sample.find(flag);
    ASSERT_NE(it, sample.end()) << "give " << flag << " a sample value here";
    Args args = server("dtls1.2");
    args.push_back(flag);
    args.insert(args.end(), it->second.begin(), it->second.end());
    auto r = peers::parse_peer_options(args, kId);
    EXPECT_EQ(r.exit_code, peers::kExitUnsupported) << flag;
    EXPECT_EQ(message(r), "unsupported: " + flag + " with --protocol dtls1.2") << flag;
  }
}

TEST_F(StockOptions, CapabilitiesAreWhatTheRolesRegistrySectionLacks) {
  using R = peers::Role;
  // --groups, --plaintext, --ip-cert and --no-server-name: no stock role maps them (yet).
  const Args tls_client_openssl{"--host-cert",  "--unknown-sni", "--client-cert", "--resume",
                                "--record-size-limit", "--early-data", "--groups", "--plaintext", "--ip-cert", "--no-server-name"};
  const Args tls_server_openssl{"--host-cert", "--unknown-sni", "--resume", "--record-size-limit", "--key-update",
                                "--early-data", "--groups", "--plaintext", "--ip-cert", "--no-server-name"};  // max-fragment-length: ignored, s_server accepts it by itself
  const Args tls_client_gnutls{"--host-cert", "--unknown-sni", "--client-cert", "--resume", "--max-fragment-length",
                               "--key-update", "--early-data", "--groups", "--plaintext", "--ip-cert", "--no-server-name"};
  const Args tls_server_gnutls{"--host-cert", "--unknown-sni", "--alpn", "--resume", "--max-fragment-length",
                               "--key-update", "--early-data", "--groups", "--plaintext", "--ip-cert", "--no-server-name"};  // client-cert: mapped per value
  for (const char* protocol : {"tls1.2", "tls1.3"}) {
    ASSERT_TRUE(missing("openssl-cli", R::client, protocol));
    EXPECT_EQ(*missing("openssl-cli", R::client, protocol), tls_client_openssl) << protocol;
    EXPECT_EQ(*missing("openssl-cli", R::server, protocol), tls_server_openssl) << protocol;
    EXPECT_EQ(*missing("gnutls-cli", R::client, protocol), tls_client_gnutls) << protocol;
    EXPECT_EQ(*missing("gnutls-cli", R::server, protocol), tls_server_gnutls) << protocol;
  }
  // DTLS maps only the key log (the runner passes it to every key-log peer).
  for (const char* tool : {"openssl-cli", "gnutls-cli"})
    for (R role : {R::client, R::server}) {
      ASSERT_TRUE(missing(tool, role, "dtls1.2"));
      auto all = peers::contract_flags();
      all.erase(std::find(all.begin(), all.end(), "--key-log"));
      EXPECT_EQ(*missing(tool, role, "dtls1.2"), all) << tool;
    }
  EXPECT_EQ(tool_capabilities(entry("openssl-cli"), R::client).protocols, (Args{"dtls1.2", "tls1.2", "tls1.3"}));
  EXPECT_THROW(tool_capabilities(entry("openssl"), R::client), std::invalid_argument);  // a shim
}

TEST_F(StockOptions, AFlagTheRolesSectionLacksIs127NamingTheFlagAndTheTool) {
  auto r = parse("gnutls-cli", with(server("tls1.3"), {"--alpn", "h2"}));
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(message(r), "unsupported: --alpn with --protocol tls1.3 (gnutls-cli's server has no equivalent)");
  // Mapped for the client only: 127 on the server, accepted on the client.
  EXPECT_EQ(exit_of("openssl-cli", with(server("tls1.3"), {"--key-update"})), 127);
  EXPECT_EQ(exit_of("openssl-cli", with(client("tls1.3"), {"--key-update"})), 0);
  EXPECT_EQ(exit_of("gnutls-cli", with(client("tls1.3"), {"--alpn", "h2"})), 0);
  // What each tool really lacks: gnutls-cli max_fragment_length alone, s_client record_size_limit.
  EXPECT_EQ(exit_of("gnutls-cli", with(client("tls1.3"), {"--max-fragment-length", "1024"})), 127);
  EXPECT_EQ(exit_of("openssl-cli", with(client("tls1.3"), {"--record-size-limit", "1024"})), 127);
  for (const char* tool : {"openssl-cli", "gnutls-cli"}) {
    EXPECT_EQ(exit_of(tool, with(client("tls1.3"), {"--resume"})), 127) << tool;  // one tool run, one connection
    EXPECT_EQ(exit_of(tool, with(client("dtls1.2"), {"--alpn", "h2"})), 127) << tool;  // TLS-only on DTLS
  }
}

TEST_F(StockOptions, AFlagMappedForTheServerOnlyIs127OnTheClient) {
  registry::PeerEntry e = entry("openssl-cli");
  e.tool->tls_client->options.erase("alpn");
  auto r = parse_stock_options(with(client("tls1.2"), {"--alpn", "h2"}), e, kId);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(message(r), "unsupported: --alpn with --protocol tls1.2 (openssl-cli's client has no equivalent)");
  EXPECT_TRUE(parse_stock_options(with(server("tls1.2"), {"--alpn", "h2"}), e, kId).options);
  // A protocol the role has no section for.
  e.tool->tls_server.reset();
  r = parse_stock_options(server("tls1.3"), e, kId);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(message(r), "unsupported: --protocol tls1.3 (openssl-cli's server has no equivalent)");
  EXPECT_TRUE(parse_stock_options(client("tls1.3"), e, kId).options);
}

TEST_F(StockOptions, AServersFlagOnAClientIsAUsageErrorNot127) {
  // No client section maps them, yet the line is wrong before it is unsupported.
  const std::string p = pem_.path.string();
  for (const char* tool : {"openssl-cli", "gnutls-cli"})
    for (const Args& tail : {Args{"--client-cert", "required"}, Args{"--client-cert", "none"},
                             Args{"--unknown-sni", "alert"}, Args{"--host-cert", "a.example=" + p + ":" + p}}) {
      Args args = client("tls1.3");
      args.insert(args.end(), tail.begin(), tail.end());
      EXPECT_EQ(exit_of(tool, args), 3) << tool << " " << tail[0];
    }
  EXPECT_EQ(exit_of("openssl-cli", with(server("tls1.3"), {"--client-cert", "none"})), 0);
}

TEST_F(StockOptions, BadValuesAreUsageErrorsEvenForAFlagTheToolLacks) {
  for (const char* tool : {"openssl-cli", "gnutls-cli"}) {
    for (const Args& tail : {Args{"--alpn", "h2,,x"}, Args{"--alpn", std::string(256, 'a')},
                             Args{"--record-size-limit", "63"}, Args{"--max-fragment-length", "8192"},
                             Args{"--host-cert", "a.example"}, Args{"--host-cert", "a=/nonexistent:/nonexistent"},
                             Args{"--key-log", ""}}) {
      Args args = client("tls1.3");
      args.insert(args.end(), tail.begin(), tail.end());
      EXPECT_EQ(exit_of(tool, args), 3) << tool << " " << tail[0] << " " << tail[1];
    }
    EXPECT_EQ(exit_of(tool, with(server("tls1.3"), {"--client-cert", "maybe"})), 3) << tool;
    EXPECT_EQ(exit_of(tool, with(server("tls1.3"), {"--unknown-sni", "ignore"})), 3) << tool;
  }
  EXPECT_EQ(exit_of("gnutls-cli", with(client("tls1.3"), {"--record-size-limit", "16385"})), 0);
}

TEST_F(StockOptions, TheContractsTlsRules) {
  for (const char* tool : {"openssl-cli", "gnutls-cli"}) {
    // The timer is DTLS's: 127 over TLS; over DTLS the registry fixes it at 1 s.
    EXPECT_EQ(exit_of(tool, with(client("tls1.3"), {"--timer-initial-ms", "500"})), 127) << tool;
    EXPECT_EQ(exit_of(tool, with(client("dtls1.2"), {"--timer-initial-ms", "500"})), 0) << tool;
    EXPECT_EQ(exit_of(tool, with(client("tls1.3"), {"--handshake-timeout-ms", "1999"})), 3) << tool;
    EXPECT_EQ(exit_of(tool, with(client("tls1.3"), {"--handshake-timeout-ms", "120000"})), 0) << tool;
    EXPECT_EQ(exit_of(tool, with(client("dtls1.2"), {"--handshake-timeout-ms", "1999"})), 0) << tool;
    EXPECT_EQ(exit_of(tool, with(client("tls1.2"), {"--key-update"})), 3) << tool;
    // --mtu over TCP: accepted, the interface MTU is the wire's.
    EXPECT_EQ(exit_of(tool, with(client("tls1.3"), {"--mtu", "1500"})), 0) << tool;
  }
}

TEST_F(StockOptions, FramingIsLinesOrNothing) {
  auto r = parse("openssl-cli", with(client("dtls1.2"), {"--framing", "lines"}));
  ASSERT_TRUE(r.options) << r.stdout_text;
  EXPECT_EQ(r.options->framing, peers::Framing::lines);
  r = parse("openssl-cli", client("tls1.2"));
  ASSERT_TRUE(r.options) << r.stdout_text;
  EXPECT_EQ(r.options->framing, peers::Framing::lines);  // the only framing a stock tool has
  EXPECT_EQ(exit_of("openssl-cli", with(client("dtls1.2"), {"--framing", "binary"})), 127);
  EXPECT_EQ(exit_of("openssl-cli", with(client("dtls1.2"), {"--framing=json"})), 3);
  r = parse("openssl-cli", with(client("dtls1.2"), {"--framing", "binary", "--version"}));
  EXPECT_EQ(r.exit_code, 0);  // --version answers alone
  EXPECT_EQ(nlohmann::json::parse(r.stdout_text)["event"], "version");
}

TEST_F(StockOptions, TheParsedRunGivesTheRegistryKeys) {
  auto r = parse("openssl-cli", with(client("tls1.3"), {"--alpn", "h2,http/1.1", "--key-log=/tmp/k",
                                                       "--max-fragment-length", "512", "--echo-bytes", "10"}));
  ASSERT_TRUE(r.options) << r.stdout_text;
  EXPECT_EQ(r.options->alpn, (Args{"h2", "http/1.1"}));
  EXPECT_EQ(r.options->key_log, "/tmp/k");
  EXPECT_EQ(r.options->echo_bytes, 10u);
  EXPECT_EQ(given_options(*r.options), (Args{"ca", "server-name", "alpn", "key-log", "max-fragment-length"}));

  // Every flag's key, as no shipped tool would take them all.
  peers::PeerOptions o;
  o.role = peers::Role::server;
  o.protocol = "tls1.3";
  o.cert = o.key = o.ca = "x";
  o.mtu = 1400;  // over TCP: no key
  o.resume = o.key_update = o.early_data = true;
  o.record_size_limit = 1024;
  o.host_certs = {{"a.example", "c", "k"}};
  o.unknown_sni = peers::UnknownSni::alert;
  o.client_cert = peers::ClientCert::optional;
  EXPECT_EQ(given_options(o), (Args{"ca", "cert", "key", "record-size-limit", "resume", "key-update", "early-data",
                                    "host-cert", "unknown-sni=alert", "client-cert=optional"}));
  o.protocol = "dtls1.2";
  o.timer_initial_ms = 1000;
  o.unknown_sni = peers::UnknownSni::default_cert;  // the contract's default gives no key
  o.client_cert.reset();
  o.resume = o.key_update = o.early_data = false;
  o.record_size_limit.reset();
  o.host_certs.clear();
  EXPECT_EQ(given_options(o), (Args{"ca", "cert", "key", "mtu", "timer-initial-ms"}));
}

TEST_F(StockOptions, ATlsServerIsToldNoClientCertificateByDefault) {
  auto given = [&](const std::string& tool, const Args& args) {
    auto r = parse(tool, args);
    EXPECT_TRUE(r.options) << r.stdout_text;
    return r.options ? given_options(*r.options) : Args{};
  };
  EXPECT_TRUE(has(given("openssl-cli", server("tls1.2")), "client-cert=none"));
  auto req = given("gnutls-cli", with(server("tls1.2"), {"--client-cert", "required"}));
  EXPECT_TRUE(has(req, "client-cert=required"));
  EXPECT_FALSE(has(req, "client-cert=none"));
  // A client gives none (--client-cert is a server's), and DTLS keeps its behaviour: no key unless given.
  for (const Args& args : {client("tls1.2"), server("dtls1.2")})
    for (const auto& key : given("openssl-cli", args)) EXPECT_EQ(key.rfind("client-cert", 0), std::string::npos) << key;
}

}  // namespace
}  // namespace wireproof::stock
