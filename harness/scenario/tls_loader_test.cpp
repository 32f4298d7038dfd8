// The TLS parts of the scenario format (docs/SCENARIO.md "TLS"): every field
// loads into the model, everything a TCP scenario may use is allowed, and
// every value a TLS peer would refuse is an error at its file:line:col.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "harness/scenario/loader.hpp"

namespace wireproof::scenario {
namespace {

namespace fs = std::filesystem;
using Problems = std::vector<std::string>;

Problems problems_of(const std::string& text) {
  try {
    load_scenario_text(text, "t.yaml");
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

// 4 lines: the first line after the header is line 5.
const std::string kTls13 = "name: t\ndescription: test\nrefs: [\"RFC 8446 4.1\"]\nprotocol: tls1.3\n";
const std::string kTls12 = "name: t\ndescription: test\nrefs: [\"RFC 5246 7.3\"]\nprotocol: tls1.2\n";
const std::string kTcp = "name: t\ndescription: test\nrefs: [\"RFC 9293 3.8.1\"]\nprotocol: tcp\n";

// scenarios/tls: every file loads, is named after itself, quotes its RFC and
// names the checks it expects to judge.
TEST(TlsScenario, ShippedLibraryLoads) {
  fs::current_path(WIREPROOF_SOURCE_DIR);
  int count = 0;
  for (const auto& entry : fs::directory_iterator("scenarios/tls")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    ++count;
    Scenario sc;
    try {
      sc = load_scenario_file(entry.path().string());
    } catch (const ScenarioError& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    EXPECT_EQ(sc.name, entry.path().stem().string());
    EXPECT_TRUE(sc.protocol == "tls1.2" || sc.protocol == "tls1.3") << sc.protocol;
    EXPECT_NE(sc.description.find("RFC "), std::string::npos);
    EXPECT_NE(sc.description.find('"'), std::string::npos);
    EXPECT_FALSE(sc.expect.checks_enabled.empty());
  }
  EXPECT_GE(count, 20);
}

// docs/SCENARIO.md "TLS": its example loads and means what the text says.
TEST(TlsScenario, DocumentationExampleLoads) {
  std::ifstream in(std::string(WIREPROOF_SOURCE_DIR) + "/docs/SCENARIO.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto start = doc.find("```yaml\n", doc.find("## TLS (`protocol: tls1.2` / `tls1.3`)"));
  ASSERT_NE(start, std::string::npos);
  start += 8;
  Scenario sc;
  try {
    sc = load_scenario_text(doc.substr(start, doc.find("```", start) - start), "SCENARIO.md");
  } catch (const ScenarioError& e) {
    FAIL() << e.what();
  }
  EXPECT_EQ(sc.tls.server_name, "b.example");
  EXPECT_EQ(sc.tls.client.record_size_limit, 1024);
  EXPECT_EQ(sc.tls.server.record_size_limit, 512);
  EXPECT_EQ(sc.tls.server.groups, (std::vector<std::string>{"secp256r1"}));
  EXPECT_EQ(sc.tls.client_cert, "required");
}

TEST(TlsScenario, ProtocolTlsImpliesTheL3WireAndDefaults) {
  for (const std::string& header : {kTls12, kTls13}) {
    Scenario sc = load_scenario_text(header, "t.yaml");
    EXPECT_EQ(sc.wire, Wire::l3);
    EXPECT_EQ(sc.tls.client.version, sc.protocol);
    EXPECT_EQ(sc.tls.server.version, sc.protocol);
    EXPECT_EQ(sc.tls.server_name, "localhost");  // the harness PKI's default server certificate
    EXPECT_EQ(sc.tls.client_cert, "none");
    EXPECT_FALSE(sc.tls.client_has_cert);
    EXPECT_FALSE(sc.tls.resume);
    EXPECT_TRUE(sc.tls.host_certs.empty());
    EXPECT_EQ(sc.tcp.workload, "echo");
  }
}

TEST(TlsScenario, FullDocumentFillsTheModel) {
  Scenario sc = load_scenario_text(kTls13 +
                                       "peers:\n  handshake_timeout_ms: 5000\n"
                                       "  server: {sysctls: {tcp_sack: 0, route.min_adv_mss: 88}}\n"
                                       "link: {mtu: 1500}\n"
                                       "rules:\n"
                                       "  - name: lose-hello\n    dir: c2s\n    match: {tcp: {data: true, nth_data: 1}}\n"
                                       "    count: 1\n    action: drop\n"
                                       "  - name: cut\n    match: {tcp: {flags: [fin]}}\n    action: rst\n"
                                       "timeline:\n"
                                       "  - on: {peer: client, event: handshake_done}\n    set: {mtu: 1280}\n"
                                       "  - on: {peer: server, event: key_update}\n"
                                       "    inject: {dir: c2s, flags: [rst], seq: rcv_nxt}\n"
                                       "workload: {bytes: 65536, chunk: 4096}\n"
                                       "tls:\n"
                                       "  server_name: b.example\n"
                                       "  resume: true\n"
                                       "  early_data: true\n"
                                       "  record_size_limit: 512\n"
                                       "  client:\n"
                                       "    alpn: [h2, http/1.1]\n"
                                       "    groups: [x25519, secp256r1]\n"
                                       "    key_update: true\n"
                                       "    max_fragment_length: 1024\n"
                                       "  server:\n"
                                       "    alpn: http/1.1\n"
                                       "    groups: [secp256r1]\n"
                                       "    record_size_limit: 2048\n"
                                       "    host_certs: [a.example, b.example]\n"
                                       "    unknown_sni: alert\n"
                                       "    client_cert: required\n",
                                   "full.yaml");
  EXPECT_EQ(sc.peers.handshake_timeout_ms, 5000);
  ASSERT_EQ(sc.peers.server.sysctls.size(), 2u);
  EXPECT_EQ(sc.peers.server.sysctls[1].first, "net.ipv4.route.min_adv_mss");  // Linux's MSS floor (256 by default)
  ASSERT_EQ(sc.rules.size(), 2u);
  ASSERT_TRUE(sc.rules[0].match.tcp);
  EXPECT_EQ(sc.rules[0].match.tcp->nth_data, 1u);
  EXPECT_TRUE(std::holds_alternative<Reset>(sc.rules[1].action));
  ASSERT_EQ(sc.timeline.size(), 2u);
  EXPECT_EQ(sc.timeline[0].set_mtu, 1280);
  EXPECT_TRUE(sc.timeline[1].inject);
  EXPECT_EQ(sc.workload.echo_bytes, 65536u);
  EXPECT_EQ(sc.workload.chunk, 4096u);
  const TlsSettings& t = sc.tls;
  EXPECT_EQ(t.server_name, "b.example");
  EXPECT_TRUE(t.resume);
  EXPECT_TRUE(t.early_data);
  EXPECT_EQ(t.client.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(t.server.alpn, (std::vector<std::string>{"http/1.1"}));
  EXPECT_EQ(t.client.groups, (std::vector<std::string>{"x25519", "secp256r1"}));
  EXPECT_EQ(t.server.groups, (std::vector<std::string>{"secp256r1"}));
  EXPECT_TRUE(t.client.key_update);
  EXPECT_FALSE(t.server.key_update);
  EXPECT_EQ(t.client.record_size_limit, 512);  // the section's, for both sides
  EXPECT_EQ(t.server.record_size_limit, 2048);  // a side's own wins
  EXPECT_EQ(t.client.max_fragment_length, 1024);
  EXPECT_EQ(t.server.max_fragment_length, std::nullopt);
  EXPECT_EQ(t.host_certs, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(t.unknown_sni, "alert");
  EXPECT_EQ(t.client_cert, "required");
  EXPECT_TRUE(t.client_has_cert);  // asked for one, so it has one unless cert: false
}

TEST(TlsScenario, PerSideVersionsAndAClientWithoutCertificate) {
  Scenario sc = load_scenario_text(
      kTls13 + "tls:\n  client: {version: tls1.3, cert: false}\n  server: {version: tls1.2, client_cert: required}\n",
      "t.yaml");
  EXPECT_EQ(sc.tls.client.version, "tls1.3");
  EXPECT_EQ(sc.tls.server.version, "tls1.2");
  EXPECT_FALSE(sc.tls.client_has_cert);
}

TEST(TlsScenarioErrors, WireUdpAndATlsSectionElsewhere) {
  EXPECT_EQ(problems_of(kTls13 + "wire: udp\n"),
            (Problems{"t.yaml:5:7: wire: udp is the UDP relay, which cannot carry TCP; protocol tls1.3 runs on wire: "
                      "l3"}));
  EXPECT_EQ(problems_of(kTcp + "tls: {resume: true}\n"),
            (Problems{"t.yaml:5:1: tls: configures TLS peers; this scenario's protocol is tcp (use tls1.2, "
                      "tls1.3 or dtls1.2)"}));
}

const std::string kDtls = "name: t\ndescription: test\nrefs: [\"RFC 6347 4.2\"]\nprotocol: dtls1.2\n";

// DTLS 1.2 takes the contract's naming and certificate flags (issue 10: the
// DTLS scenarios gain SNI and client-certificate cases).
TEST(DtlsTlsSection, SniAndClientCertificatesLoad) {
  const Scenario sc = load_scenario_text(kDtls +
                                             "tls:\n  server_name: b.example\n  client: { cert: false, alpn: [x] }\n"
                                             "  server: { host_certs: [a.example, b.example], unknown_sni: alert,"
                                             " client_cert: required, alpn: [x] }\n",
                                         "t.yaml");
  EXPECT_EQ(sc.tls.server_name, "b.example");
  EXPECT_EQ(sc.tls.host_certs, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(sc.tls.unknown_sni, "alert");
  EXPECT_EQ(sc.tls.client_cert, "required");
  EXPECT_TRUE(sc.tls.client_cert_given);
  EXPECT_FALSE(sc.tls.client_has_cert);
  EXPECT_EQ(sc.tls.client.alpn, (std::vector<std::string>{"x"}));
  // Without the section the DTLS defaults stand: no client_cert written.
  EXPECT_FALSE(load_scenario_text(kDtls, "t.yaml").tls.client_cert_given);
}

// What only TLS over TCP has is refused for dtls1.2, at the key.
TEST(DtlsTlsSection, TcpOnlyFieldsAreRefused) {
  const std::string tail =
      " is for TLS over TCP (tls1.2 / tls1.3); a dtls1.2 scenario's tls: section takes server_name, alpn, "
      "client.cert, server.host_certs, server.unknown_sni, server.ip_cert and server.client_cert";
  EXPECT_EQ(problems_of(kDtls + "tls:\n  resume: true\n  client: { key_update: true }\n"
                                "  server: { plaintext: true }\n"),
            (Problems{"t.yaml:6:3: resume" + tail, "t.yaml:7:13: key_update" + tail, "t.yaml:8:13: plaintext" + tail}));
}

// No SNI (issue 10): server_name none is the client's --no-server-name, and
// server.ip_cert the server's --ip-cert, for TLS and DTLS alike.
TEST(TlsScenario, NoServerNameAndAnIpCertificateLoad) {
  for (const std::string& header : {kTls13, kTls12, kDtls}) {
    const Scenario sc =
        load_scenario_text(header + "tls:\n  server_name: none\n  server: { ip_cert: true }\n", "t.yaml");
    EXPECT_TRUE(sc.tls.no_server_name);
    EXPECT_TRUE(sc.tls.server_ip_cert);
    const Scenario plain = load_scenario_text(header, "t.yaml");
    EXPECT_FALSE(plain.tls.no_server_name);
    EXPECT_FALSE(plain.tls.server_ip_cert);
    EXPECT_EQ(plain.tls.server_name, "localhost");
  }
}

TEST(TlsScenarioErrors, IpCertIsABooleanAndNeedsTls) {
  EXPECT_EQ(problems_of(kTls13 + "tls:\n  server: { ip_cert: 198.18.0.2 }\n"),
            (Problems{"t.yaml:6:22: ip_cert must be true or false, got '198.18.0.2'"}));
  EXPECT_EQ(problems_of(kTls13 + "tls:\n  server: { plaintext: true, ip_cert: true }\n"),
            (Problems{"t.yaml:6:30: ip_cert configures the server's TLS, but plaintext: true makes it speak none"}));
  EXPECT_EQ(problems_of(kTls13 + "tls:\n  client: { ip_cert: true }\n"),
            (Problems{"t.yaml:6:13: unknown key 'ip_cert' in tls.client (expected one of version, alpn, groups, "
                      "record_size_limit, max_fragment_length, key_update, cert)"}));
}

TEST(TlsScenarioErrors, EveryTlsFieldIsRangeChecked) {
  EXPECT_EQ(problems_of(kTls13 +
                        "tls:\n"                                      // 5
                        "  server_name: 198.18.0.2\n"                 // 6
                        "  record_size_limit: 63\n"                   // 7
                        "  max_fragment_length: 600\n"                // 8
                        "  client:\n"                                 // 9
                        "    version: tls1.1\n"                       // 10
                        "    alpn: [h2, 'a,b']\n"                     // 11
                        "    groups: [x25519, x25591]\n"              // 12
                        "  server:\n"                                 // 13
                        "    alpn: []\n"                              // 14
                        "    groups: [secp256r1, secp256r1]\n"        // 15
                        "    host_certs: [a.example, 'a b', a.example]\n"  // 16
                        "    unknown_sni: ignore\n"                   // 17
                        "    client_cert: maybe\n"                    // 18
                        "    record_size_limit: 16386\n"),            // 19
            (Problems{
                "t.yaml:6:16: server_name '198.18.0.2' is not a DNS host name (RFC 6066 3: SNI carries host names, "
                "not addresses; none sends no SNI)",
                "t.yaml:7:22: record_size_limit must be in [64, 16385], got 63",
                "t.yaml:8:24: max_fragment_length 600 is not one RFC 6066 4 defines (512, 1024, 2048 or 4096)",
                "t.yaml:10:14: version 'tls1.1' is not a TLS version (did you mean 'tls1.2'?) (expected one of "
                "tls1.2, tls1.3)",
                "t.yaml:11:11: alpn protocol 'a,b' must be 1..255 bytes without ',' (RFC 7301 3.1)",
                "t.yaml:12:13: group 'x25591' is not a TLS group name (did you mean 'x25519'?) (expected some of "
                "x25519, x448, secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe8192)",
                "t.yaml:14:11: alpn is empty; name at least one or leave alpn out",
                "t.yaml:15:13: groups names 'secp256r1' twice",
                "t.yaml:16:17: host_certs 'a b' is not a DNS host name (the harness PKI issues a certificate with "
                "SAN DNS:<name> for each)",
                "t.yaml:16:17: host_certs names 'a.example' twice",
                "t.yaml:17:18: unknown_sni 'ignore' is not a behaviour for an unknown SNI host (expected one of "
                "default, alert)",
                "t.yaml:18:18: client_cert 'maybe' is not a client-certificate mode (expected one of none, optional, "
                "required)",
                "t.yaml:19:24: record_size_limit must be in [64, 16385], got 16386",
            }));
}

TEST(TlsScenarioErrors, WhatOnlyTls13Has) {
  EXPECT_EQ(problems_of(kTls12 + "tls:\n  early_data: true\n  server: {key_update: true}\n"),
            (Problems{"t.yaml:6:15: early_data (0-RTT) needs resume: true; early data rides on a resumed session's "
                      "PSK (RFC 8446 2.3)",
                      "t.yaml:6:15: early_data (0-RTT) is TLS 1.3's (RFC 8446 4.2.10); both sides must speak "
                      "tls1.3",
                      "t.yaml:7:24: key_update is TLS 1.3's KeyUpdate message (RFC 8446 4.6.3); this side speaks "
                      "tls1.2"}));
  // A 1.3 scenario with a 1.2-only side: the same rule per side.
  EXPECT_EQ(problems_of(kTls13 + "tls:\n  client: {version: tls1.2, key_update: true}\n"),
            (Problems{"t.yaml:6:41: key_update is TLS 1.3's KeyUpdate message (RFC 8446 4.6.3); this side speaks "
                      "tls1.2"}));
}

// Peer options a TLS peer refuses: a handshake limit outside 2..120 s, the
// DTLS timer, TCP workloads other than the echo.
TEST(TlsScenarioErrors, PeerOptionsAndWorkloadsOutsideTheContract) {
  EXPECT_EQ(problems_of(kTls13 + "peers: {handshake_timeout_ms: 1000, timer_initial_ms: 500}\n"
                                 "workload: {kind: bulk, stall_ms: 10}\n"),
            (Problems{"t.yaml:5:31: handshake_timeout_ms must be in [2000, 120000], got 1000",
                      "t.yaml:5:37: timer_initial_ms is the DTLS retransmission timer; a TCP stack's timers come from "
                      "its sysctls (peers.client.sysctls)",
                      "t.yaml:6:18: workload kind 'bulk' is TCP's; a tls1.3 peer only echoes (kind echo)",
                      "t.yaml:6:24: stall_ms is a TCP workload parameter; this scenario's protocol is tls1.3"}));
  EXPECT_EQ(problems_of(kTls13 + "workload: {chunk: 16377}\n"),
            (Problems{"t.yaml:5:19: chunk 16377 is more than a tls1.3 peer accepts (--chunk 1..16376, one SSL_write, "
                      "peers/CONTRACT.md)"}));
  EXPECT_EQ(problems_of(kTls13 + "workload: {chunk: 1}\n"), Problems{});
  EXPECT_EQ(problems_of(kTls13 + "peers: {handshake_timeout_ms: 120001}\n"),
            (Problems{"t.yaml:5:31: handshake_timeout_ms must be in [2000, 120000], got 120001"}));
}

// Checks: the TCP checks judge TLS's connections, except tcp_data_intact
// (the wire carries ciphertext); DTLS checks are refused. Peer events are TLS's.
TEST(TlsScenarioErrors, ChecksAndEventsOfOtherProtocols) {
  EXPECT_EQ(problems_of(kTls13 + "expect:\n  checks:\n    tcp_handshake: on\n    tcp_data_intact: on\n"
                                 "    mtu_fit: on\n"),
            (Problems{"t.yaml:8:5: check 'tcp_data_intact' judges tcp, not this scenario's protocol tls1.3 (its "
                      "checks: tcp_handshake, syn_retransmission_schedule, rto_backoff, rto_matches_stack, "
                      "fast_retransmit, segments_fit_mss, zero_window_probe, delayed_ack, graceful_close, "
                      "pmtud_response, blind_reset_defence, keepalive, urgent_data, tls_handshake_completes, record_size, "
                      "record_framing, version_negotiation, middlebox_compat, hello_retry_request, close_notify, key_update, "
                      "session_resumption, alerts, tls_data_intact, plaintext_fallback)",
                      "t.yaml:9:5: check 'mtu_fit' judges dtls1.2, not this scenario's protocol tls1.3 (its checks: "
                      "tcp_handshake, syn_retransmission_schedule, rto_backoff, rto_matches_stack, fast_retransmit, "
                      "segments_fit_mss, zero_window_probe, delayed_ack, graceful_close, pmtud_response, "
                      "blind_reset_defence, keepalive, urgent_data, tls_handshake_completes, record_size, record_framing, "
                      "version_negotiation, middlebox_compat, hello_retry_request, close_notify, key_update, "
                      "session_resumption, alerts, tls_data_intact, plaintext_fallback)"}));
  EXPECT_EQ(problems_of(kTls13 + "timeline:\n  - on: {peer: client, event: tcp_info}\n    set: {mtu: 1280}\n"),
            (Problems{"t.yaml:6:31: event 'tcp_info' is not a tls1.3 peer event (expected one of ready, connected, "
                      "handshake_done, key_update, app_data, alert, error, closed)"}));
  EXPECT_EQ(problems_of(kTls13 + "rules:\n  - name: d\n    match: {handshake_type: client_hello}\n    action: drop\n"),
            (Problems{"t.yaml:7:13: handshake_type is a DTLS record field; a tls1.3 scenario matches segments with "
                      "tcp: {flags, data, seq_rel_min, ...}"}));
}

}  // namespace
}  // namespace wireproof::scenario
