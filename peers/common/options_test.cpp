#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "peers/common/options.hpp"

using namespace wireproof::peers;

namespace {

const PeerIdentity kId{"TestTLS", "1.2.3"};

// A real file for the ExistingFile checks. Named per process: CTest runs each
// test as its own process, in parallel, and one test's destructor must not
// delete the file another test is reading.
struct PemFile {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("wp_options_test." + std::to_string(::getpid()) + ".pem");
  PemFile() { std::ofstream(path) << "x"; }
  ~PemFile() { std::filesystem::remove(path); }
};

std::vector<std::string> server_args(const std::string& pem) {
  return {"--role", "server", "--protocol", "dtls1.2", "--listen", "127.0.0.1:0",
          "--cert", pem,      "--key",      pem,       "--ca",     pem};
}

nlohmann::json event_of(const ParseResult& r) { return nlohmann::json::parse(r.stdout_text); }

}  // namespace

TEST(Options, ParsesAFullServerLine) {
  PemFile pem;
  auto args = server_args(pem.path);
  for (auto s : {"--mtu", "1400", "--timer-initial-ms", "100", "--echo-bytes", "20000", "--chunk", "500",
                 "--idle-timeout-ms", "700", "--handshake-timeout-ms", "9000"})
    args.push_back(s);
  auto r = parse_peer_options(args, kId);
  ASSERT_TRUE(r.options) << r.stdout_text << r.stderr_text;
  EXPECT_EQ(r.options->role, Role::server);
  EXPECT_EQ(r.options->listen.port, 0);
  EXPECT_EQ(r.options->mtu, 1400);
  EXPECT_EQ(r.options->timer_initial_ms, 100);
  EXPECT_EQ(r.options->echo_bytes, 20000u);
  EXPECT_EQ(r.options->chunk, 500u);
  EXPECT_EQ(r.options->idle_timeout_ms, 700);
  EXPECT_EQ(r.options->handshake_timeout_ms, 9000);
}

TEST(Options, ClientDefaults) {
  PemFile pem;
  auto r = parse_peer_options({"--role", "client", "--protocol", "dtls1.2", "--connect", "127.0.0.1:4433", "--ca",
                               pem.path.string()},
                              kId);
  ASSERT_TRUE(r.options) << r.stderr_text;
  EXPECT_EQ(r.options->connect.host, "127.0.0.1");
  EXPECT_EQ(r.options->connect.port, 4433);
  EXPECT_FALSE(r.options->mtu);
  EXPECT_FALSE(r.options->timer_initial_ms);
  EXPECT_EQ(r.options->handshake_timeout_ms, 30000);
  EXPECT_EQ(r.options->idle_timeout_ms, 5000);
  EXPECT_EQ(r.options->framing, Framing::binary);
}

TEST(Options, FramingLinesAndBinaryAreAccepted) {
  PemFile pem;
  for (auto [text, want] : {std::pair{"lines", Framing::lines}, std::pair{"binary", Framing::binary}}) {
    auto args = server_args(pem.path);
    args.insert(args.end(), {"--framing", text});
    auto r = parse_peer_options(args, kId);
    ASSERT_TRUE(r.options) << text << r.stderr_text;
    EXPECT_EQ(r.options->framing, want) << text;
  }
}

TEST(Options, VersionPrintsOneJsonLineAndExitsZero) {
  auto r = parse_peer_options({"--version"}, kId);
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(event_of(r), (nlohmann::json{{"event", "version"}, {"implementation", "TestTLS"}, {"version", "1.2.3"}}));
}

TEST(Options, UnknownOptionIsUnsupported127) {
  PemFile pem;
  auto args = server_args(pem.path);
  args.push_back("--fancy-feature=3");
  auto r = parse_peer_options(args, kId);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(event_of(r)["message"], "unsupported: --fancy-feature");
}

TEST(Options, OtherProtocolIsUnsupported127) {
  PemFile pem;
  auto args = server_args(pem.path);
  args[3] = "tls1.3";
  auto r = parse_peer_options(args, kId);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(event_of(r)["message"], "unsupported: --protocol tls1.3");
}

TEST(Options, BadValuesAreUsageErrors) {
  PemFile pem;
  const std::vector<std::vector<std::string>> bad_tails = {
      {"--mtu", "abc"}, {"--mtu", "100"}, {"--chunk", "0"}, {"--timer-initial-ms", "-5"}, {"--listen", "nowhere"},
      {"--listen", "1.2.3.4:70000"}, {"--cert", "/no/such/file.pem"}, {"--framing", "json"}};
  for (const auto& tail : bad_tails) {
    auto args = server_args(pem.path);
    args.insert(args.end(), tail.begin(), tail.end());
    auto r = parse_peer_options(args, kId);
    EXPECT_FALSE(r.options) << tail[0] << " " << tail[1];
    EXPECT_EQ(r.exit_code, 3) << tail[0] << " " << tail[1];
    EXPECT_EQ(event_of(r)["event"], "error");
    EXPECT_FALSE(r.stderr_text.empty());
  }
}

TEST(Options, MissingRequiredPiecesAreUsageErrors) {
  PemFile pem;
  EXPECT_EQ(parse_peer_options({"--protocol", "dtls1.2"}, kId).exit_code, 3);
  EXPECT_EQ(parse_peer_options({"--role", "client", "--protocol", "dtls1.2", "--ca", pem.path}, kId).exit_code, 3);
  EXPECT_EQ(parse_peer_options({"--role", "server", "--protocol", "dtls1.2", "--ca", pem.path}, kId).exit_code, 3);
}

namespace {

// A library that speaks TLS but lacks record_size_limit and 0-RTT (OpenSSL 3.0's table).
PeerCapabilities tls_caps() {
  PeerCapabilities c;
  c.protocols = {"dtls1.2", "tls1.2", "tls1.3"};
  c.missing = {{"dtls1.2", {"--alpn", "--resume"}},
               {"tls1.2", {"--record-size-limit", "--early-data"}},
               {"tls1.3", {"--record-size-limit", "--early-data"}}};
  return c;
}

std::vector<std::string> tls_server_args(const std::string& pem, const std::string& version = "tls1.3") {
  auto args = server_args(pem);
  args[3] = version;
  return args;
}

}  // namespace

TEST(Options, ParsesEveryTlsFlag) {
  PemFile pem;
  auto args = tls_server_args(pem.path);
  for (const std::string& s : {std::string("--host-cert"), "a.example=" + pem.path.string() + ":" + pem.path.string(),
                               std::string("--unknown-sni"), std::string("alert"), std::string("--alpn"),
                               std::string("h2,http/1.1"), std::string("--client-cert"), std::string("required"),
                               std::string("--resume"), std::string("--max-fragment-length"), std::string("512"),
                               std::string("--key-update"), std::string("--key-log"), std::string("/tmp/k.txt"),
                               std::string("--mtu"), std::string("1400")})
    args.push_back(s);
  auto r = parse_peer_options(args, kId, tls_caps());
  ASSERT_TRUE(r.options) << r.stdout_text << r.stderr_text;
  const auto& o = *r.options;
  EXPECT_TRUE(o.is_tls());
  ASSERT_EQ(o.host_certs.size(), 1u);
  EXPECT_EQ(o.host_certs[0].name, "a.example");
  EXPECT_EQ(o.host_certs[0].cert, pem.path.string());
  EXPECT_EQ(o.unknown_sni, UnknownSni::alert);
  EXPECT_EQ(o.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(o.client_cert, ClientCert::required);
  EXPECT_TRUE(o.resume);
  EXPECT_EQ(o.max_fragment_length, 512);
  EXPECT_TRUE(o.key_update);
  EXPECT_EQ(o.key_log, "/tmp/k.txt");
  EXPECT_EQ(o.mtu, 1400);  // accepted; the interface MTU is the wire's
}

TEST(Options, TlsDefaultsToNoClientCertificateRequestWhileDtlsKeepsItsOwn) {
  PemFile pem;
  auto tls = parse_peer_options(tls_server_args(pem.path, "tls1.2"), kId, tls_caps());
  ASSERT_TRUE(tls.options) << tls.stderr_text;
  EXPECT_EQ(tls.options->client_cert, ClientCert::none);
  auto dtls = parse_peer_options(server_args(pem.path), kId, tls_caps());
  ASSERT_TRUE(dtls.options) << dtls.stderr_text;
  EXPECT_FALSE(dtls.options->client_cert);
}

TEST(Options, TlsBadValuesAreUsageErrors) {
  PemFile pem;
  const std::string p = pem.path.string();
  const std::vector<std::vector<std::string>> bad_tails = {
      {"--handshake-timeout-ms", "1999"},  {"--handshake-timeout-ms", "120001"},
      {"--record-size-limit", "63"},       {"--record-size-limit", "16386"},
      {"--max-fragment-length", "1000"},   {"--alpn", "h2,,http/1.1"},
      {"--alpn", std::string(256, 'x')},   {"--host-cert", "a.example"},
      {"--host-cert", "=" + p + ":" + p},  {"--host-cert", "a.example=/no/such.pem:" + p},
      {"--unknown-sni", "ignore"},         {"--client-cert", "maybe"},
      {"--key-log", ""}};
  for (const auto& tail : bad_tails) {
    auto args = tls_server_args(p, "tls1.2");
    args.insert(args.end(), tail.begin(), tail.end());
    auto r = parse_peer_options(args, kId, {.protocols = {"tls1.2"}, .missing = {}});
    EXPECT_FALSE(r.options) << tail[0] << " " << tail[1];
    EXPECT_EQ(r.exit_code, 3) << tail[0] << " " << tail[1] << ": " << r.stdout_text;
  }
}

TEST(Options, KeyUpdateNeedsTls13) {
  PemFile pem;
  auto args = tls_server_args(pem.path, "tls1.2");
  args.push_back("--key-update");
  EXPECT_EQ(parse_peer_options(args, kId, tls_caps()).exit_code, 3);
  args[3] = "tls1.3";
  EXPECT_TRUE(parse_peer_options(args, kId, tls_caps()).options);
}

TEST(Options, ServerOnlyTlsFlagsOnAClientAreUsageErrors) {
  PemFile pem;
  for (const std::vector<std::string>& tail : {std::vector<std::string>{"--client-cert", "optional"},
                                               std::vector<std::string>{"--unknown-sni", "alert"}}) {
    std::vector<std::string> args = {"--role", "client", "--protocol", "tls1.3", "--connect", "127.0.0.1:4433",
                                     "--ca", pem.path.string()};
    args.insert(args.end(), tail.begin(), tail.end());
    EXPECT_EQ(parse_peer_options(args, kId, tls_caps()).exit_code, 3) << tail[0];
  }
}

TEST(Options, TimerInitialWithTlsIsUnsupported127) {
  PemFile pem;
  auto args = tls_server_args(pem.path);
  args.insert(args.end(), {"--timer-initial-ms", "100"});
  auto r = parse_peer_options(args, kId, tls_caps());
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(event_of(r)["message"], "unsupported: --timer-initial-ms with --protocol tls1.3");
}

TEST(Options, AFlagTheLibraryLacksForThatProtocolIs127) {
  PemFile pem;
  auto tls = tls_server_args(pem.path);
  tls.insert(tls.end(), {"--record-size-limit", "1024"});
  auto r = parse_peer_options(tls, kId, tls_caps());
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(event_of(r)["message"], "unsupported: --record-size-limit with --protocol tls1.3");
  // The same flag where the library has it parses.
  EXPECT_TRUE(parse_peer_options(tls, kId, {.protocols = {"tls1.3"}, .missing = {}}).options);
  // Per protocol: --alpn is missing for dtls1.2 only.
  auto dtls = server_args(pem.path);
  dtls.insert(dtls.end(), {"--alpn", "h2"});
  EXPECT_EQ(parse_peer_options(dtls, kId, tls_caps()).exit_code, 127);
  auto tls_alpn = tls_server_args(pem.path);
  tls_alpn.insert(tls_alpn.end(), {"--alpn", "h2"});
  EXPECT_TRUE(parse_peer_options(tls_alpn, kId, tls_caps()).options);
}

TEST(Options, ADtlsOnlyPeerRefusesTlsAndEveryTlsFlag) {
  PemFile pem;
  EXPECT_EQ(parse_peer_options(tls_server_args(pem.path), kId).exit_code, 127);
  for (const char* flag : {"--resume", "--key-update", "--early-data"}) {
    auto args = server_args(pem.path);
    args.push_back(flag);
    EXPECT_EQ(parse_peer_options(args, kId).exit_code, 127) << flag;
  }
}

TEST(Options, GroupsKeepTheirOrder) {
  PemFile pem;
  for (const char* version : {"tls1.2", "tls1.3", "dtls1.2"}) {
    auto args = tls_server_args(pem.path, version);
    args.insert(args.end(), {"--groups", "secp384r1,x25519,ffdhe2048"});
    auto r = parse_peer_options(args, kId, tls_caps());
    ASSERT_TRUE(r.options) << version << ": " << r.stdout_text;
    EXPECT_EQ(r.options->groups, (std::vector<std::string>{"secp384r1", "x25519", "ffdhe2048"}));
  }
  auto none = parse_peer_options(tls_server_args(pem.path), kId, tls_caps());
  ASSERT_TRUE(none.options);
  EXPECT_TRUE(none.options->groups.empty());  // the library's defaults
}

TEST(Options, AnUnknownOrRepeatedGroupIsAUsageErrorNamingIt) {
  PemFile pem;
  for (const auto& [value, named] : std::vector<std::pair<std::string, std::string>>{
           {"x25519,P-256", "unknown group 'P-256'"}, {"", "unknown group ''"}, {"x25519,,x448", "unknown group ''"},
           {"x25519,x25519", "'x25519' is named twice"}}) {
    auto args = tls_server_args(pem.path);
    args.insert(args.end(), {"--groups", value});
    auto r = parse_peer_options(args, kId, tls_caps());
    EXPECT_EQ(r.exit_code, 3) << value;
    EXPECT_NE(event_of(r)["message"].get<std::string>().find(named), std::string::npos) << r.stdout_text;
  }
}

TEST(Options, ADtlsOnlyPeerRefusesGroups127) {
  PemFile pem;
  auto args = server_args(pem.path);
  args.insert(args.end(), {"--groups", "x25519"});
  EXPECT_EQ(parse_peer_options(args, kId).exit_code, 127);
}

TEST(Options, PlaintextIsATlsServersOption) {
  PemFile pem;
  auto server = tls_server_args(pem.path, "tls1.2");
  server.push_back("--plaintext");
  auto ok = parse_peer_options(server, kId, tls_caps());
  ASSERT_TRUE(ok.options) << ok.stdout_text;
  EXPECT_TRUE(ok.options->plaintext);
  auto dtls = server_args(pem.path);
  dtls.push_back("--plaintext");
  EXPECT_EQ(parse_peer_options(dtls, kId, tls_caps()).exit_code, 3);
  EXPECT_EQ(parse_peer_options(dtls, kId).exit_code, 127);  // a DTLS-only peer has no such option
  std::vector<std::string> client = {"--role", "client", "--protocol", "tls1.3", "--connect", "127.0.0.1:4433",
                                     "--ca", pem.path.string(), "--plaintext"};
  auto r = parse_peer_options(client, kId, tls_caps());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(event_of(r)["message"], "usage: --plaintext is a server option");
}

TEST(Options, IpCertIsAServersCertKeyPairForAClientHelloWithoutSni) {
  PemFile pem;
  const std::string p = pem.path.string();
  for (const char* protocol : {"tls1.3", "dtls1.2"}) {
    auto server = tls_server_args(p, protocol);
    server.insert(server.end(), {"--ip-cert", p + ":" + p});
    auto ok = parse_peer_options(server, kId, tls_caps());
    ASSERT_TRUE(ok.options) << ok.stdout_text;
    ASSERT_TRUE(ok.options->ip_cert);
    EXPECT_EQ(ok.options->ip_cert->cert, p);
    EXPECT_EQ(ok.options->ip_cert->key, p);
  }
  for (const std::string& bad : {p, ":" + p, p + ":", p + ":/no/such.key"}) {
    auto server = tls_server_args(p, "tls1.3");
    server.insert(server.end(), {"--ip-cert", bad});
    auto r = parse_peer_options(server, kId, tls_caps());
    EXPECT_EQ(r.exit_code, 3) << bad << ": " << r.stdout_text;
  }
  std::vector<std::string> client = {"--role", "client", "--protocol", "tls1.3", "--connect", "127.0.0.1:4433",
                                     "--ca", p, "--ip-cert", p + ":" + p};
  auto r = parse_peer_options(client, kId, tls_caps());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(event_of(r)["message"], "usage: --host-cert, --ip-cert, --unknown-sni and --client-cert are a server's options");
}

TEST(Options, NoServerNameNeedsAnIpToVerifyAndExcludesServerName) {
  PemFile pem;
  auto client = [&](const std::string& connect, std::vector<std::string> tail) {
    std::vector<std::string> a = {"--role", "client", "--protocol", "tls1.3", "--connect", connect, "--ca",
                                  pem.path.string(), "--no-server-name"};
    a.insert(a.end(), tail.begin(), tail.end());
    return parse_peer_options(a, kId, tls_caps());
  };
  auto v4 = client("198.18.0.2:4433", {});
  ASSERT_TRUE(v4.options) << v4.stdout_text;
  EXPECT_TRUE(v4.options->no_server_name);
  EXPECT_FALSE(v4.options->server_name);
  EXPECT_TRUE(client("[2001:db8::2]:4433", {}).options);
  auto both = client("127.0.0.1:4433", {"--server-name", "localhost"});
  EXPECT_EQ(both.exit_code, 3);
  EXPECT_EQ(event_of(both)["message"], "usage: --server-name and --no-server-name exclude each other");
  auto named = client("localhost:4433", {});
  EXPECT_EQ(named.exit_code, 3) << named.stdout_text;
  auto server = tls_server_args(pem.path, "tls1.3");
  server.push_back("--no-server-name");
  EXPECT_EQ(parse_peer_options(server, kId, tls_caps()).exit_code, 3);
  auto dtls = server_args(pem.path);
  dtls.push_back("--no-server-name");
  EXPECT_EQ(parse_peer_options(dtls, kId).exit_code, 127);  // a DTLS-only peer lacks it
}
