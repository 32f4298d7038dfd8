// Each TLS contract flag between the real shims (peers/CONTRACT.md "TLS"),
// for every client x server pair: SNI certificates, --unknown-sni and --ip-cert, ALPN,
// --client-cert, --handshake-timeout-ms against a silent server, --resume,
// --max-fragment-length, --record-size-limit, --key-update, --early-data.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include <chrono>

#include "harness/dissect/key_log.hpp"
#include "peers/common/tls_test_support.hpp"

namespace {

using namespace wireproof::peers::testing;
// Every test here runs for each client x server pair (TlsPairTest, tls_test_support.hpp).
class TlsFeature : public TlsPairTest {};

// --server-name is the client's argument at index 9 (client_args).
std::vector<std::string> with_server_name(std::vector<std::string> c, const std::string& name) {
  c[9] = name;
  return c;
}

TEST_P(TlsFeature, SniPicksTheHostCertificateAndFallsBackToTheDefault) {
  auto host = wireproof::pki::generate_pki(dir.path / "a", "a.example");
  const std::string host_cert = "a.example=" + host.server_cert.string() + ":" + host.server_key.string();
  for (const char* version : {"tls1.2", "tls1.3"}) {
    // a.example verifies only against its own CA: served only if the server picked the host certificate.
    auto s = server_args(version, pki);
    append(s, {"--host-cert", host_cert});
    auto r = run_pair(dir.path, client_impl(), server_impl(), s, [&](int port) {
      return with_server_name(client_args(version, port, host.ca_cert), "a.example");
    });
    ASSERT_EQ(r.client_rc, 0) << version << "\n" << r.transcripts();
    ASSERT_EQ(r.server_rc, 0) << r.transcripts();
    EXPECT_EQ(r.server->event("handshake_done")["server_name"], "a.example") << r.transcripts();
    EXPECT_EQ(r.client->event("handshake_done")["server_name"], "a.example");
    // A name without a host certificate gets the default one (--unknown-sni default).
    auto d = run(version, {"--host-cert", host_cert}, {});
    EXPECT_EQ(d.client_rc, 0) << version << "\n" << d.transcripts();
    EXPECT_EQ(d.server->event("handshake_done")["server_name"], "localhost");
  }
}

// --no-server-name instead of client_args' --server-name localhost: no SNI, the --connect IP is verified.
std::vector<std::string> without_server_name(std::vector<std::string> c) {
  c.erase(c.begin() + 8, c.begin() + 10);
  c.push_back("--no-server-name");
  return c;
}

// --ip-cert (RFC 6066 3: SNI only guides the server's choice). The IP
// certificates come from CAs of their own, so a client trusting one of them
// completes only if the server served that certificate, and only if it
// matched the address it connected to (127.0.0.1).
TEST_P(TlsFeature, WithoutSniTheServerServesItsIpCertificate) {
  auto ip = wireproof::pki::generate_pki(dir.path / "ip", "localhost", {}, "127.0.0.1");
  auto other_ip = wireproof::pki::generate_pki(dir.path / "ip2", "localhost", {}, "127.0.0.2");
  auto host = wireproof::pki::generate_pki(dir.path / "a", "a.example");
  const std::string ip_cert = ip.ip_cert.string() + ":" + ip.ip_key.string();
  const std::string host_cert = "a.example=" + host.server_cert.string() + ":" + host.server_key.string();
  for (const char* version : {"tls1.3", "tls1.2", "dtls1.2"}) {
    auto pair = [&](std::vector<std::string> server_extra, const fs::path& ca, bool sni) {
      auto s = server_args(version, pki);
      s.insert(s.end(), server_extra.begin(), server_extra.end());
      return run_pair(dir.path, client_impl(), server_impl(), s, [&](int port) {
        auto c = client_args(version, port, ca);
        return sni ? with_server_name(c, "a.example") : without_server_name(c);
      });
    };
    auto r = pair({"--ip-cert", ip_cert, "--host-cert", host_cert}, ip.ca_cert, false);
    ASSERT_EQ(r.client_rc, 0) << version << "\n" << r.transcripts();
    EXPECT_EQ(r.server_rc, 0) << r.transcripts();
    EXPECT_TRUE(r.server->event("handshake_done")["server_name"].is_null()) << r.transcripts();
    EXPECT_TRUE(r.client->event("handshake_done")["server_name"].is_null()) << r.transcripts();
    // Without --ip-cert the default certificate (another CA) is served: verification fails.
    auto d = pair({}, ip.ca_cert, false);
    EXPECT_EQ(d.client_rc, 1) << version << "\n" << d.transcripts();
    EXPECT_FALSE(field(d.client->event("error"), "reason").empty()) << d.transcripts();
    // An IP certificate for another address fails: the client checks the address.
    auto wrong = pair({"--ip-cert", other_ip.ip_cert.string() + ":" + other_ip.ip_key.string()}, other_ip.ca_cert, false);
    EXPECT_EQ(wrong.client_rc, 1) << version << "\n" << wrong.transcripts();
    // With SNI the host certificate still wins.
    auto sni = pair({"--ip-cert", ip_cert, "--host-cert", host_cert}, host.ca_cert, true);
    EXPECT_EQ(sni.client_rc, 0) << version << "\n" << sni.transcripts();
    EXPECT_EQ(sni.server->event("handshake_done")["server_name"], "a.example") << sni.transcripts();
  }
}

TEST_P(TlsFeature, UnknownSniAlertSendsUnrecognizedName) {
  for (const char* version : {"tls1.2", "tls1.3"}) {
    auto r = run(version, {"--unknown-sni", "alert"}, {});
    EXPECT_EQ(r.client_rc, 1) << version << "\n" << r.transcripts();
    EXPECT_EQ(r.server_rc, 1) << r.transcripts();
    json sent = r.server->event("alert"), got = r.client->event("alert");
    EXPECT_EQ(field(sent, "direction"), "sent") << r.transcripts();
    EXPECT_EQ(field(sent, "description"), "unrecognized_name") << r.transcripts();
    EXPECT_EQ(field(got, "direction"), "received") << r.transcripts();
    EXPECT_EQ(field(got, "description"), "unrecognized_name");
    EXPECT_FALSE(field(r.client->event("error"), "reason").empty()) << r.transcripts();
  }
}

TEST_P(TlsFeature, AlpnFollowsTheServersPreference) {
  for (const char* version : {"tls1.2", "tls1.3"}) {
    auto r = run(version, {"--alpn", "h2,http/1.1"}, {"--alpn", "http/1.1,h2"});
    ASSERT_EQ(r.client_rc, 0) << version << "\n" << r.transcripts();
    EXPECT_EQ(r.client->event("handshake_done")["alpn"], "h2") << r.transcripts();
    EXPECT_EQ(r.server->event("handshake_done")["alpn"], "h2");
    auto none = run(version, {}, {});
    EXPECT_TRUE(none.client->event("handshake_done")["alpn"].is_null()) << none.transcripts();
  }
}

TEST_P(TlsFeature, NoCommonAlpnProtocolFailsWithNoApplicationProtocol) {
  auto r = run("tls1.3", {"--alpn", "h2"}, {"--alpn", "http/1.1"});
  EXPECT_EQ(r.client_rc, 1) << r.transcripts();
  EXPECT_EQ(field(r.server->event("alert"), "description"), "no_application_protocol") << r.transcripts();
}

TEST_P(TlsFeature, ClientCertificateNoneOptionalRequired) {
  const std::vector<std::string> cert = {"--cert", pki.client_cert.string(), "--key", pki.client_key.string()};
  for (const char* version : {"tls1.2", "tls1.3"}) {
    auto optional = run(version, {"--client-cert", "optional"}, {});
    EXPECT_EQ(optional.client_rc, 0) << version << "\n" << optional.transcripts();
    auto required_sent = run(version, {"--client-cert", "required"}, cert);
    EXPECT_EQ(required_sent.client_rc, 0) << version << "\n" << required_sent.transcripts();
    EXPECT_EQ(required_sent.server_rc, 0) << required_sent.transcripts();
    auto missing = run(version, {"--client-cert", "required"}, {});
    EXPECT_EQ(missing.server_rc, 1) << version << "\n" << missing.transcripts();
    EXPECT_NE(missing.client_rc, 0) << missing.transcripts();
    EXPECT_EQ(field(missing.client->event("alert"), "direction"), "received") << missing.transcripts();
    EXPECT_EQ(field(missing.server->event("alert"), "direction"), "sent") << missing.transcripts();
    json err = missing.client->event("error");
    EXPECT_FALSE(field(err, "reason").empty()) << missing.transcripts();
  }
}

TEST_P(TlsFeature, ResumeResumesTheSecondConnection) {
  for (const char* version : {"tls1.2", "tls1.3"}) {
    auto r = run(version, {"--resume"}, {"--resume"});
    ASSERT_EQ(r.client_rc, 0) << version << "\n" << r.transcripts();
    ASSERT_EQ(r.server_rc, 0) << r.transcripts();
    for (TestPeer* p : {r.client.get(), r.server.get()}) {
      auto done = all_events(*p, "handshake_done");
      ASSERT_EQ(done.size(), 2u) << r.transcripts();
      EXPECT_EQ(done[0]["resumed"], false);
      EXPECT_EQ(done[1]["resumed"], true) << version << "\n" << r.transcripts();
      EXPECT_EQ(done[1]["connection"], 2);
      EXPECT_EQ(all_events(*p, "app_data").size(), 2u);
    }
  }
}

TEST_P(TlsFeature, MaxFragmentLength512SplitsChunksAcrossRecordsAndTheEchoSurvives) {
  for (const char* version : {"tls1.2", "tls1.3"}) {
    auto r = run(version, {"--max-fragment-length", "512"}, {"--max-fragment-length", "512"});
    ASSERT_EQ(r.client_rc, 0) << version << "\n" << r.transcripts();
    json c = r.client->event("app_data");
    EXPECT_EQ(c["sent_sha256"], c["echoed_sha256"]);
    EXPECT_EQ(r.server->event("app_data")["unique_chunks"], 66);
  }
}

TEST_P(TlsFeature, KeyUpdateIsSentAndSeenAndTheEchoGoesOn) {
  auto r = run("tls1.3", {}, {"--key-update"});
  ASSERT_EQ(r.client_rc, 0) << r.transcripts();
  ASSERT_EQ(r.server_rc, 0) << r.transcripts();
  auto sent = all_events(*r.client, "key_update"), seen = all_events(*r.server, "key_update");
  ASSERT_EQ(sent.size(), 2u) << r.transcripts();
  EXPECT_EQ(sent[0]["direction"], "sent") << r.transcripts();
  EXPECT_EQ(sent[0]["update_requested"], true);
  // The server answers update_requested with its own KeyUpdate (RFC 8446 4.6.3).
  EXPECT_EQ(sent[1]["direction"], "received") << r.transcripts();
  EXPECT_EQ(sent[1]["update_requested"], false);
  ASSERT_EQ(seen.size(), 1u) << r.transcripts();
  EXPECT_EQ(seen[0]["direction"], "received");
  EXPECT_EQ(seen[0]["update_requested"], true);
  json c = r.client->event("app_data");
  EXPECT_EQ(c["sent_sha256"], c["echoed_sha256"]);
}

TEST_P(TlsFeature, ASilentServerEndsTheClientAtTheHandshakeTimeout) {
  // A listening socket nobody accepts: the kernel completes TCP, nobody speaks TLS.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto args = client_args("tls1.3", ntohs(addr.sin_port), pki.ca_cert);
  args[15] = "2000";  // --handshake-timeout-ms value
  const auto began = std::chrono::steady_clock::now();
  TestPeer client(command(client_impl(), args), dir.path / "client.err");
  EXPECT_EQ(client.finish(std::chrono::seconds(10)), 1) << client.transcript();
  const auto took = std::chrono::steady_clock::now() - began;
  ::close(fd);
  EXPECT_LT(took, std::chrono::milliseconds(4000));
  EXPECT_GE(took, std::chrono::milliseconds(2000));
  EXPECT_NE(field(client.event("error"), "message").find("--handshake-timeout-ms 2000"), std::string::npos)
      << client.transcript();
  EXPECT_TRUE(client.event("handshake_done").is_null());
}

INSTANTIATE_TEST_SUITE_P(Pairs, TlsFeature, all_pairs(), pair_name);

// What each library can and cannot honour, as exit codes of the real binaries.
class TlsShim : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir;
  wireproof::pki::PkiFiles pki = wireproof::pki::generate_pki(dir.path / "pki");
  int exit_with(std::vector<std::string> extra, const std::string& version = "tls1.3") {
    auto args = server_args(version, pki);
    args.insert(args.end(), extra.begin(), extra.end());
    TestPeer p(command(GetParam(), args), dir.path / "p.err");
    // A server that parsed its line waits for a client: the refusals exit at once.
    return p.finish(std::chrono::seconds(5));
  }
};

TEST_P(TlsShim, EarlyDataIsUnsupported127) { EXPECT_EQ(exit_with({"--early-data"}), 127); }

TEST_P(TlsShim, TimerInitialIsUnsupported127AndOutOfRangeHandshakeTimeoutIs3) {
  EXPECT_EQ(exit_with({"--timer-initial-ms", "100"}), 127);
  EXPECT_EQ(exit_with({"--handshake-timeout-ms", "1000"}), 3);
  EXPECT_EQ(exit_with({"--key-update"}, "tls1.2"), 3);
}

TEST_P(TlsShim, DtlsStillRefusesTheTlsOnlyFlags) {
  for (const char* flag : {"--resume", "--max-fragment-length", "--key-update"}) {
    auto args = server_args("dtls1.2", pki);
    args.push_back(flag);
    if (std::string(flag) == "--max-fragment-length") args.push_back("512");
    TestPeer p(command(GetParam(), args), dir.path / "p.err");
    EXPECT_EQ(p.finish(std::chrono::seconds(5)), 127) << flag << "\n" << p.transcript();
  }
}

INSTANTIATE_TEST_SUITE_P(Shims, TlsShim, ::testing::Values("openssl", "gnutls"),
                         [](const auto& info) { return info.param; });

// OpenSSL 3.0 has no record_size_limit (RFC 8449): 127; GnuTLS negotiates it.
// The value is the extension's: in TLS 1.3 it counts the inner content type,
// so 513 is 512 bytes of content, and GnuTLS 3.7 (no content limit under 512)
// cannot offer 512 there: 127.
TEST(TlsRecordSizeLimit, OpensslRefuses127AndGnutlsEchoesAgainstEither) {
  TempDir dir;
  auto pki = wireproof::pki::generate_pki(dir.path / "pki");
  auto args = server_args("tls1.3", pki);
  append(args, {"--record-size-limit", "1024"});
  TestPeer refused(command("openssl", args), dir.path / "p.err");
  EXPECT_EQ(refused.finish(std::chrono::seconds(5)), 127) << refused.transcript();
  EXPECT_NE(field(refused.event("error"), "message").find("--record-size-limit"), std::string::npos);
  auto too_small = run_pair(dir.path, "gnutls", "gnutls", server_args("tls1.3", pki), [&](int port) {
    auto c = client_args("tls1.3", port, pki.ca_cert);
    append(c, {"--record-size-limit", "512"});
    return c;
  });
  EXPECT_EQ(too_small.client_rc, 127) << too_small.transcripts();
  for (const char* server : {"openssl", "gnutls"})
    for (const char* version : {"tls1.2", "tls1.3"}) {
      auto r = run_pair(dir.path, "gnutls", server, server_args(version, pki), [&](int port) {
        auto c = client_args(version, port, pki.ca_cert);
        append(c, {"--record-size-limit", std::string(version) == "tls1.3" ? "513" : "512"});
        return c;
      });
      EXPECT_EQ(r.client_rc, 0) << server << " " << version << "\n" << r.transcripts();
      json c = r.client->event("app_data");
      EXPECT_EQ(c["sent_sha256"], c["echoed_sha256"]);
    }
}

}  // namespace

namespace {

TEST_P(TlsFeature, Ipv6LoopbackCarriesTheEcho) {
  auto s = server_args("tls1.3", pki);
  s[5] = "[::1]:0";  // --listen value
  auto r = run_pair(dir.path, client_impl(), server_impl(), s, [&](int port) {
    auto c = client_args("tls1.3", port, pki.ca_cert);
    c[5] = "[::1]:" + std::to_string(port);  // --connect value
    return c;
  });
  ASSERT_EQ(r.client_rc, 0) << r.transcripts();
  EXPECT_EQ(field(r.client->event("connected"), "remote"), "[::1]:" + std::to_string(r.server->events()[0]["port"].get<int>()));
}

TEST_P(TlsFeature, SigtermWhileWaitingForAClientEndsTheServerAsStopped) {
  TestPeer server(command(server_impl(), server_args("tls1.2", pki)), dir.path / "server.err");
  ASSERT_GT(ready_port(server), 0);
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.finish(std::chrono::seconds(5)), 1) << server.transcript();
  EXPECT_EQ(field(server.event("closed"), "reason"), "error");
  EXPECT_NE(field(server.event("error"), "message").find("SIGTERM"), std::string::npos) << server.transcript();
}

}  // namespace

namespace {

TEST_P(TlsShim, AnUnopenableKeyLogIsAUsageError) {
  EXPECT_EQ(exit_with({"--key-log", (dir.path / "no-such-dir" / "k.txt").string()}), 3);
  EXPECT_EQ(exit_with({"--key-log", (dir.path / "no-such-dir" / "k.txt").string()}, "dtls1.2"), 3);
}

// The runner passes --key-log to DTLS runs too: both shims log DTLS 1.2's master secret.
TEST_P(TlsShim, DtlsKeyLogHoldsTheClientRandomLine) {
  const fs::path client_log = dir.path / "keylog-client.txt", server_log = dir.path / "keylog-server.txt";
  auto s = server_args("dtls1.2", pki);
  append(s, {"--key-log", server_log.string()});
  auto r = run_pair(dir.path, GetParam() == "openssl" ? "gnutls" : "openssl", GetParam(), s, [&](int port) {
    auto c = client_args("dtls1.2", port, pki.ca_cert);
    append(c, {"--key-log", client_log.string()});
    return c;
  });
  ASSERT_EQ(r.client_rc, 0) << r.transcripts();
  ASSERT_EQ(r.server_rc, 0) << r.transcripts();
  const std::string ctext = read_all(client_log), stext = read_all(server_log);
  auto c = wireproof::dissect::parse_key_log(ctext), sv = wireproof::dissect::parse_key_log(stext);
  EXPECT_TRUE(c.errors.empty() && sv.errors.empty()) << ctext << stext;
  const auto* cs = c.log.find(first_random(ctext), "CLIENT_RANDOM");
  const auto* ss = sv.log.find(first_random(ctext), "CLIENT_RANDOM");
  ASSERT_NE(cs, nullptr) << ctext;
  ASSERT_NE(ss, nullptr) << stext;
  EXPECT_EQ(*cs, *ss);
}

}  // namespace

namespace {

// The flags that make sense for DTLS too: the DTLS scenarios gain SNI, ALPN and client-certificate cases.
TEST_P(TlsFeature, DtlsTakesHostCertificatesAlpnAndClientCertificateRules) {
  auto host = wireproof::pki::generate_pki(dir.path / "a", "a.example");
  const std::string host_cert = "a.example=" + host.server_cert.string() + ":" + host.server_key.string();
  auto s = server_args("dtls1.2", pki);
  append(s, {"--host-cert", host_cert, "--alpn", "h2,http/1.1"});
  auto r = run_pair(dir.path, client_impl(), server_impl(), s, [&](int port) {
    auto c = with_server_name(client_args("dtls1.2", port, host.ca_cert), "a.example");
    append(c, {"--alpn", "http/1.1,h2"});
    return c;
  });
  ASSERT_EQ(r.client_rc, 0) << r.transcripts();
  EXPECT_EQ(r.server->event("handshake_done")["server_name"], "a.example") << r.transcripts();
  EXPECT_EQ(r.client->event("handshake_done")["alpn"], "h2") << r.transcripts();
  EXPECT_EQ(r.server->event("handshake_done")["alpn"], "h2");

  auto unknown = run("dtls1.2", {"--unknown-sni", "alert"}, {});
  EXPECT_EQ(unknown.client_rc, 1) << unknown.transcripts();
  EXPECT_EQ(field(unknown.server->event("alert"), "description"), "unrecognized_name") << unknown.transcripts();
  // Not asserted on the client: a GnuTLS DTLS client does not report OpenSSL's
  // unrecognized_name alert (its handshake runs on until its timer and the
  // ICMP error end it); OpenSSL and GnuTLS servers' alerts reach the others.

  auto missing = run("dtls1.2", {"--client-cert", "required"}, {});
  EXPECT_EQ(missing.server_rc, 1) << missing.transcripts();
  EXPECT_EQ(missing.client_rc, 1) << missing.transcripts();
  EXPECT_EQ(field(missing.server->event("alert"), "direction"), "sent") << missing.transcripts();
  EXPECT_FALSE(field(missing.client->event("error"), "reason").empty()) << missing.transcripts();
}

}  // namespace
