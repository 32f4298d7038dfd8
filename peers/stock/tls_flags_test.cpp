// The TLS contract's flags as wireproof-stock takes them before the common
// parser sees the rest (tls_flags.hpp).
#include "peers/stock/tls_flags.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace wireproof::stock {
namespace {

std::vector<std::string> base(const std::string& protocol) {
  return {"--role", "client", "--protocol", protocol, "--connect", "127.0.0.1:4433", "--ca", "/dev/null"};
}
std::vector<std::string> with(std::vector<std::string> args, std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}
int exit_of(const TlsSplit& s) { return s.error ? s.error->exit_code : 0; }

TEST(TlsFlags, TakesTheTlsFlagsAndHandsTheRestOnAsDtls) {
  auto s = split_tls_flags(with(base("tls1.3"), {"--alpn", "h2,http/1.1", "--key-log=/tmp/k", "--resume",
                                                 "--max-fragment-length", "512", "--echo-bytes", "10"}));
  ASSERT_FALSE(s.error);
  EXPECT_EQ(s.flags.protocol, "tls1.3");
  EXPECT_EQ(s.flags.alpn, "h2,http/1.1");
  EXPECT_EQ(s.flags.key_log, "/tmp/k");
  EXPECT_TRUE(s.flags.resume);
  EXPECT_EQ(s.flags.max_fragment_length, 512);
  std::vector<std::string> rest{"--role", "client", "--connect", "127.0.0.1:4433", "--ca", "/dev/null",
                                "--echo-bytes", "10", "--protocol", "dtls1.2"};
  EXPECT_EQ(s.rest, rest);
  auto given = s.flags.given(peers::Role::client);
  for (const char* g : {"alpn", "key-log", "resume", "max-fragment-length"})
    EXPECT_NE(std::find(given.begin(), given.end(), g), given.end()) << g;
}

TEST(TlsFlags, ATlsServerIsToldNoClientCertificateByDefault) {
  auto s = split_tls_flags(base("tls1.2"));
  auto server = s.flags.given(peers::Role::server);
  EXPECT_EQ(server, std::vector<std::string>{"client-cert=none"});
  EXPECT_TRUE(s.flags.given(peers::Role::client).empty());
  // DTLS keeps its behaviour: no client-cert key unless given.
  EXPECT_TRUE(split_tls_flags(base("dtls1.2")).flags.given(peers::Role::server).empty());
  auto req = split_tls_flags(with(base("tls1.2"), {"--client-cert", "required"}));
  EXPECT_EQ(req.flags.given(peers::Role::server), std::vector<std::string>{"client-cert=required"});
}

TEST(TlsFlags, BadValuesAreUsageErrors) {
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--alpn", "h2,,x"}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--alpn", std::string(256, 'a')}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--record-size-limit", "63"}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--record-size-limit", "16385"}))), 0);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--max-fragment-length", "8192"}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--client-cert", "maybe"}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--unknown-sni", "ignore"}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--host-cert", "a.example"}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--host-cert", "a=/nonexistent:/nonexistent"}))), 3);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--key-log", ""}))), 3);
}

TEST(TlsFlags, TheTimerIsDtlsOnly) {
  EXPECT_EQ(exit_of(split_tls_flags(with(base("tls1.3"), {"--timer-initial-ms", "500"}))), 127);
  EXPECT_EQ(exit_of(split_tls_flags(with(base("dtls1.2"), {"--timer-initial-ms", "500"}))), 0);
}

TEST(TlsFlags, RulesAfterTheCommonParse) {
  peers::PeerOptions o;
  o.role = peers::Role::client;
  o.handshake_timeout_ms = 1999;
  auto s = split_tls_flags(base("tls1.3"));
  ASSERT_TRUE(check_tls_rules(s.flags, o));
  EXPECT_EQ(check_tls_rules(s.flags, o)->exit_code, 3);
  o.handshake_timeout_ms = 120000;
  EXPECT_FALSE(check_tls_rules(s.flags, o));
  o.handshake_timeout_ms = 1999;
  EXPECT_FALSE(check_tls_rules(split_tls_flags(base("dtls1.2")).flags, o));  // DTLS keeps its own range
  o.handshake_timeout_ms = 30000;
  EXPECT_EQ(check_tls_rules(split_tls_flags(with(base("tls1.2"), {"--key-update"})).flags, o)->exit_code, 3);
  EXPECT_FALSE(check_tls_rules(split_tls_flags(with(base("tls1.3"), {"--key-update"})).flags, o));
  EXPECT_EQ(check_tls_rules(split_tls_flags(with(base("tls1.3"), {"--client-cert", "none"})).flags, o)->exit_code, 3);
  o.role = peers::Role::server;
  EXPECT_FALSE(check_tls_rules(split_tls_flags(with(base("tls1.3"), {"--client-cert", "none"})).flags, o));
}

}  // namespace
}  // namespace wireproof::stock
