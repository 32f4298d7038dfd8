// The TCP parts of the scenario format (docs/SCENARIO.md "TCP"): every field
// loads into the model, and every misuse is an error at its file:line:col.
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

// 4 lines: the first line after either header is line 5.
const std::string kTcp = "name: t\ndescription: test\nrefs: [\"RFC 9293 3.8.1\"]\nprotocol: tcp\n";
const std::string kDtls = "name: t\ndescription: test\nrefs: [\"RFC 6347 4.2.4\"]\nprotocol: dtls1.2\n";

// scenarios/tcp: every file loads, is named after itself, quotes its RFC and
// names the TCP checks it expects to judge.
TEST(TcpScenario, ShippedLibraryLoads) {
  fs::current_path(WIREPROOF_SOURCE_DIR);
  int count = 0;
  for (const auto& entry : fs::directory_iterator("scenarios/tcp")) {
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
    EXPECT_EQ(sc.protocol, "tcp");
    EXPECT_NE(sc.description.find("RFC "), std::string::npos);
    EXPECT_NE(sc.description.find('"'), std::string::npos);
    EXPECT_FALSE(sc.expect.checks_enabled.empty());
  }
  EXPECT_GE(count, 20);
}

// docs/SCENARIO.md "TCP": its example loads and means what the text says.
TEST(TcpScenario, DocumentationExampleLoads) {
  std::ifstream in(std::string(WIREPROOF_SOURCE_DIR) + "/docs/SCENARIO.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto start = doc.find("```yaml\n", doc.find("## TCP (`protocol: tcp`)"));
  ASSERT_NE(start, std::string::npos);
  start += 8;
  Scenario sc;
  try {
    sc = load_scenario_text(doc.substr(start, doc.find("```", start) - start), "SCENARIO.md");
  } catch (const ScenarioError& e) {
    FAIL() << e.what();
  }
  EXPECT_EQ(sc.peers.client.sysctls.front().first, "net.ipv4.tcp_syn_linear_timeouts");
  ASSERT_EQ(sc.rules.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Reset>(sc.rules[2].action));
  ASSERT_TRUE(sc.timeline[0].inject);
}

TEST(TcpScenario, ProtocolTcpImpliesTheL3WireAndDefaults) {
  Scenario sc = load_scenario_text(kTcp, "t.yaml");
  EXPECT_EQ(sc.protocol, "tcp");
  EXPECT_EQ(sc.wire, Wire::l3);
  EXPECT_EQ(sc.ip_version, 4);
  EXPECT_TRUE(sc.link.icmp);
  EXPECT_EQ(sc.tcp.workload, "echo");
  EXPECT_TRUE(sc.peers.client.sysctls.empty());
  // DTLS keeps the relay unless it asks for the L3 wire.
  EXPECT_EQ(load_scenario_text(kDtls, "d.yaml").wire, Wire::udp_relay);
  EXPECT_EQ(load_scenario_text(kDtls + "wire: l3\nip: 6\nlink: {icmp: false}\n", "d.yaml").wire, Wire::l3);
}

TEST(TcpScenario, FullDocumentFillsTheModel) {
  Scenario sc = load_scenario_text(kTcp +
                                       "ip: 6\n"
                                       "peers:\n"
                                       "  client:\n"
                                       "    sysctls: {tcp_syn_linear_timeouts: 0, net.ipv4.tcp_rmem: \"4096 87380 6291456\"}\n"
                                       "  server: {sysctls: {route.min_pmtu: 552, net.core.wmem_max: 1048576}}\n"
                                       "link: {mtu: 1500, icmp: false}\n"
                                       "rules:\n"
                                       "  - name: lose-syn\n    dir: c2s\n"
                                       "    match: {tcp: {flags: [syn], not_flags: ack}}\n    count: 3\n    action: drop\n"
                                       "  - name: rst-it\n    match: {tcp: {data: true, nth_data: 4, seq_rel_min: 1, "
                                       "seq_rel_max: 9000, retransmission: false}}\n    action: rst\n"
                                       "  - name: shut\n    dir: s2c\n    match: {tcp: {covers_seq_rel: 70000}}\n"
                                       "    action: window\n    window: 0\n"
                                       "timeline:\n"
                                       "  - on: {peer: client, event: connected}\n"
                                       "    inject: {dir: c2s, flags: [rst], seq: rcv_nxt+1000}\n"
                                       "  - on: {dir: c2s, tcp: {flags: [fin]}}\n"
                                       "    inject: {dir: s2c, flags: [syn, ack], seq: rcv_wnd_end - 2, ack: snd_nxt+1, "
                                       "payload_bytes: 10}\n"
                                       "workload: {kind: stall, bytes: 1048576, chunk: 1, stall_ms: 3000}\n",
                                   "full.yaml");
  EXPECT_EQ(sc.ip_version, 6);
  EXPECT_FALSE(sc.link.icmp);
  using Sysctls = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(sc.peers.client.sysctls,
            (Sysctls{{"net.ipv4.tcp_syn_linear_timeouts", "0"}, {"net.ipv4.tcp_rmem", "4096 87380 6291456"}}));
  EXPECT_EQ(sc.peers.server.sysctls,
            (Sysctls{{"net.ipv4.route.min_pmtu", "552"}, {"net.core.wmem_max", "1048576"}}));
  ASSERT_EQ(sc.rules.size(), 3u);
  ASSERT_TRUE(sc.rules[0].match.tcp);
  EXPECT_EQ(sc.rules[0].match.tcp->flags, 0x02);
  EXPECT_EQ(sc.rules[0].match.tcp->not_flags, 0x10);
  const TcpMatch& m = *sc.rules[1].match.tcp;
  EXPECT_EQ(m.data, true);
  EXPECT_EQ(m.nth_data, 4u);
  EXPECT_EQ(m.seq_rel_min, 1u);
  EXPECT_EQ(m.seq_rel_max, 9000u);
  EXPECT_EQ(m.retransmission, false);
  EXPECT_TRUE(std::holds_alternative<Reset>(sc.rules[1].action));
  EXPECT_EQ(sc.rules[2].match.tcp->covers_seq_rel, 70000u);
  ASSERT_TRUE(std::holds_alternative<RewriteWindow>(sc.rules[2].action));
  EXPECT_EQ(std::get<RewriteWindow>(sc.rules[2].action).window, 0);
  ASSERT_EQ(sc.timeline.size(), 2u);
  EXPECT_EQ(sc.timeline[0].describe(), "on client connected");
  ASSERT_TRUE(sc.timeline[0].inject);
  const Inject& rst = *sc.timeline[0].inject;
  EXPECT_EQ(rst.dir, Direction::c2s);
  EXPECT_EQ(rst.flags, 0x04);
  EXPECT_EQ(rst.seq.base, SeqExpr::Base::rcv_nxt);
  EXPECT_EQ(rst.seq.offset, 1000);
  EXPECT_FALSE(rst.ack);
  EXPECT_EQ(sc.timeline[1].describe(), "on c2s FIN");
  const Inject& syn = *sc.timeline[1].inject;
  EXPECT_EQ(syn.dir, Direction::s2c);
  EXPECT_EQ(syn.seq.base, SeqExpr::Base::rcv_wnd_end);
  EXPECT_EQ(syn.seq.offset, -2);
  ASSERT_TRUE(syn.ack);
  EXPECT_EQ(syn.ack->base, SeqExpr::Base::snd_nxt);
  EXPECT_EQ(syn.ack->offset, 1);
  EXPECT_EQ(syn.payload_bytes, 10u);
  EXPECT_EQ(sc.tcp.workload, "stall");
  EXPECT_EQ(sc.tcp.stall_ms, 3000);
  EXPECT_EQ(sc.workload.echo_bytes, 1048576u);
  EXPECT_EQ(sc.workload.chunk, 1u);
}

TEST(TcpScenario, InjectWithAckFlagDefaultsToTheReceiversSndNxt) {
  Scenario sc = load_scenario_text(kTcp + "timeline:\n  - at_ms: 5\n    inject: {dir: c2s, flags: [ack], seq: isn}\n",
                                   "t.yaml");
  ASSERT_TRUE(sc.timeline[0].inject && sc.timeline[0].inject->ack);
  EXPECT_EQ(sc.timeline[0].inject->seq.base, SeqExpr::Base::isn);
  EXPECT_EQ(sc.timeline[0].inject->ack->base, SeqExpr::Base::snd_nxt);
  EXPECT_EQ(sc.timeline[0].inject->ack->offset, 0);
}

TEST(TcpScenario, KeepaliveWorkload) {
  Scenario sc = load_scenario_text(
      kTcp + "workload:\n  kind: keepalive\n  keepalive: {idle_s: 1, intvl_s: 2, count: 3}\n", "t.yaml");
  ASSERT_TRUE(sc.tcp.keepalive);
  EXPECT_EQ(sc.tcp.keepalive->idle_s, 1);
  EXPECT_EQ(sc.tcp.keepalive->intvl_s, 2);
  EXPECT_EQ(sc.tcp.keepalive->count, 3);
}

TEST(TcpScenarioErrors, WireUdpWithTcpAndUnknownWireAndIp) {
  EXPECT_EQ(problems_of(kTcp + "wire: udp\n"),
            (Problems{"t.yaml:5:7: wire: udp is the UDP relay, which cannot carry TCP; protocol tcp runs on wire: l3"}));
  EXPECT_EQ(problems_of(kTcp + "wire: l2\nip: 5\n"),
            (Problems{"t.yaml:5:7: wire must be udp (the UDP relay) or l3 (IP packets between namespaces), got 'l2'",
                      "t.yaml:6:5: ip must be 4 or 6, got 5"}));
  EXPECT_EQ(problems_of(kDtls + "ip: 6\n"),
            (Problems{"t.yaml:5:5: ip: 6 needs the L3 wire (wire: l3); the UDP relay runs on 127.0.0.1"}));
  EXPECT_EQ(problems_of(kTcp.substr(0, kTcp.size() - 4) + "quic\n"),
            (Problems{"t.yaml:4:11: protocol 'quic' is not supported (expected one of dtls1.2, tcp, tls1.2, tls1.3)"}));
}

TEST(TcpScenarioErrors, L3OnlyFieldsOnTheUdpRelay) {
  EXPECT_EQ(problems_of(kDtls + "link: {icmp: false}\npeers:\n  client: {sysctls: {tcp_sack: 0}}\n"),
            (Problems{"t.yaml:5:8: link.icmp (ICMP from the wire on MTU drops) needs the L3 wire; add wire: l3 (or "
                      "protocol: tcp)",
                      "t.yaml:7:3: peers.client (sysctls in the client's namespace) needs the L3 wire; add wire: l3 "
                      "(or protocol: tcp)"}));
}

TEST(TcpScenarioErrors, SysctlsOutsideTheAllowList) {
  EXPECT_EQ(problems_of(kTcp + "peers:\n  server:\n    sysctls:\n      ip_forward: 1\n      tcp_sack: 0\n"
                               "      net.ipv4.tcp_sack: 1\n      tcp_ecn: yes\n      net.ipv6.conf.all.mtu: 1280\n"
                               "      tcp_rmem: [1, 2]\n"),
            (Problems{"t.yaml:8:7: sysctl 'net.ipv4.ip_forward' in peers.server is not allowed (allowed: "
                      "net.ipv4.tcp_*, net.ipv4.route.min_pmtu, net.ipv4.route.min_adv_mss, "
                      "net.ipv4.ip_no_pmtu_disc, net.core.rmem_max, net.core.wmem_max; a short name means "
                      "net.ipv4.<name>)",
                      "t.yaml:10:7: sysctl 'net.ipv4.tcp_sack' is set twice in peers.server",
                      "t.yaml:11:16: sysctl 'net.ipv4.tcp_ecn' must be a number or a one-line string (as written to "
                      "/proc/sys), got 'yes'",
                      "t.yaml:12:7: sysctl 'net.ipv6.conf.all.mtu' in peers.server is not allowed (allowed: "
                      "net.ipv4.tcp_*, net.ipv4.route.min_pmtu, net.ipv4.route.min_adv_mss, "
                      "net.ipv4.ip_no_pmtu_disc, net.core.rmem_max, net.core.wmem_max; a short name means "
                      "net.ipv4.<name>)",
                      "t.yaml:13:17: sysctl 'net.ipv4.tcp_rmem' must be a number or a one-line string (as written "
                      "to /proc/sys), got a list"}));
  EXPECT_EQ(problems_of(kTcp + "peers: {client: {sysctl: {}}}\n"),
            (Problems{"t.yaml:5:18: unknown key 'sysctl' in peers.client (did you mean 'sysctls'?)"}));
}

TEST(TcpScenarioErrors, DtlsMatchFieldsInATcpScenarioAndTcpInADtlsOne) {
  EXPECT_EQ(problems_of(kTcp + "rules:\n  - name: r\n    match: {flight: 2, retransmission: true}\n    action: drop\n"),
            (Problems{"t.yaml:7:13: flight is a DTLS record field; a tcp scenario matches segments with tcp: {flags, "
                      "data, seq_rel_min, ...}",
                      "t.yaml:7:24: retransmission at this level is DTLS's (flights); in a tcp scenario write tcp: "
                      "{retransmission: true}"}));
  EXPECT_EQ(problems_of(kDtls + "timeline:\n  - on: {dir: c2s, tcp: {flags: [syn]}}\n    set: {mtu: 576}\n"),
            (Problems{"t.yaml:6:20: tcp: matches TCP segments, but this scenario's protocol is dtls1.2"}));
}

TEST(TcpScenarioErrors, BadTcpMatchFields) {
  EXPECT_EQ(problems_of(kTcp + "rules:\n  - name: r\n    match:\n      tcp:\n"
                               "        flags: [syn, synn]\n        not_flags: [syn]\n        seq_rel_min: 10\n"
                               "        seq_rel_max: 5\n        nth_data: 0\n        dat: true\n    action: drop\n"),
            (Problems{"t.yaml:9:22: flags 'synn' is not a TCP flag (did you mean 'syn'?) (expected a list of fin, syn, "
                      "rst, psh, ack, urg, ece, cwr)",
                      "t.yaml:12:22: seq_rel_max 5 is below seq_rel_min 10",
                      "t.yaml:13:19: nth_data must be >= 1, got 0",
                      "t.yaml:14:9: unknown key 'dat' in tcp of match of rule 'r' (did you mean 'data'?)"}));
  EXPECT_EQ(problems_of(kTcp + "rules:\n  - name: r\n    match: {tcp: {flags: [ack], not_flags: [ack, fin]}}\n"
                               "    action: drop\n"),
            (Problems{"t.yaml:7:44: not_flags repeats ACK from flags; no segment can match"}));
  EXPECT_EQ(problems_of(kTcp + "rules:\n  - name: r\n    match: {tcp: {data: false, nth_data: 2}}\n    action: drop\n"),
            (Problems{"t.yaml:7:32: nth_data selects a data segment, but data is false"}));
  EXPECT_EQ(problems_of(kTcp + "rules:\n  - name: r\n    match: {tcp: {nth_data: 2, retransmission: yes}}\n"
                               "    action: drop\n"),
            (Problems{"t.yaml:7:19: nth_data counts new data segments only; it cannot match a retransmission"}));
}

TEST(TcpScenarioErrors, TcpActionsInADtlsScenarioAndWindowWithoutItsValue) {
  EXPECT_EQ(problems_of(kDtls + "rules:\n  - name: r\n    action: rst\n"),
            (Problems{"t.yaml:7:13: action 'rst' rewrites a TCP segment; this scenario's protocol is dtls1.2"}));
  EXPECT_EQ(problems_of(kTcp + "rules:\n  - name: r\n    action: window\n  - name: s\n    action: window\n"
                               "    window: 65536\n  - name: t\n    action: drop\n    window: 5\n"),
            (Problems{"t.yaml:7:13: action window needs window: N (the advertised window to write, 0..65535)",
                      "t.yaml:10:13: window must be in [0, 65535], got 65536",
                      "t.yaml:13:5: parameter 'window' does not belong to action 'drop' (drop takes no parameters)"}));
}

TEST(TcpScenarioErrors, BadInject) {
  EXPECT_EQ(problems_of(kDtls + "timeline:\n  - at_ms: 1\n    inject: {dir: c2s, flags: [rst], seq: rcv_nxt}\n"),
            (Problems{"t.yaml:7:5: inject crafts a TCP segment; this scenario's protocol is dtls1.2"}));
  EXPECT_EQ(problems_of(kTcp + "timeline:\n  - at_ms: 1\n    inject: {dir: both, flags: [rst], seq: rcv_next+1}\n"
                               "  - at_ms: 2\n    inject: {dir: c2s, flags: [rst], seq: rcv_nxt, ack: snd_nxt}\n"
                               "  - at_ms: 3\n    inject: {dir: c2s, flags: [ack], seq: isn, ack: rcv_nxt, "
                               "payload_bytes: 2000}\n"
                               "  - at_ms: 4\n    inject: {flags: [syn]}\n"),
            (Problems{"t.yaml:7:19: dir must be c2s (forged as the client's, to the server) or s2c, got 'both'",
                      "t.yaml:7:44: seq 'rcv_next+1' must be BASE, BASE+N or BASE-N with BASE one of rcv_nxt, "
                      "rcv_wnd_end, isn and N below 2^31",
                      "t.yaml:9:52: ack is given but flags has no ack; add ack to flags or leave ack out",
                      "t.yaml:11:53: ack 'rcv_nxt' must be BASE, BASE+N or BASE-N with BASE one of snd_nxt and N "
                      "below 2^31",
                      "t.yaml:11:77: payload_bytes must be in [0, 1220], got 2000",
                      "t.yaml:13:13: missing required key 'dir' in 'inject' of timeline entry 4",
                      "t.yaml:13:13: missing required key 'seq' in 'inject' of timeline entry 4"}));
}

TEST(TcpScenarioErrors, PeerEventsAreTheTcpContractsOnes) {
  EXPECT_EQ(problems_of(kTcp + "rules:\n  - name: r\n    action: drop\n"
                               "timeline:\n  - on: {peer: client, event: handshake_done}\n    disable: r\n"),
            (Problems{"t.yaml:9:31: event 'handshake_done' is not a tcp peer event (expected one of ready, connected, "
                      "tcp_info, app_data, error, closed)"}));
}

TEST(TcpScenarioErrors, WorkloadKindsAndTheirParameters) {
  EXPECT_EQ(problems_of(kDtls + "workload: {kind: bulk, stall_ms: 5}\n"),
            (Problems{"t.yaml:5:18: workload kind 'bulk' is TCP's; a dtls1.2 peer only echoes (kind echo)",
                      "t.yaml:5:24: stall_ms is a TCP workload parameter; this scenario's protocol is dtls1.2"}));
  EXPECT_EQ(problems_of(kTcp + "workload: {kind: bulkk}\n"),
            (Problems{"t.yaml:5:18: workload kind 'bulkk' is not a TCP workload (did you mean 'bulk'?) (expected one "
                      "of echo, bulk, stall, keepalive, urgent, half-close, abort-unread, linger-abort, reconnect)"}));
  EXPECT_EQ(problems_of(kTcp + "workload: {kind: stall}\n"),
            (Problems{"t.yaml:5:18: workload kind stall needs stall_ms: how long the server stops reading"}));
  EXPECT_EQ(problems_of(kTcp + "workload: {kind: echo, stall_ms: 5, keepalive: {idle_s: 1, intvl_s: 1, count: 1}}\n"),
            (Problems{"t.yaml:5:24: stall_ms belongs to workload kind stall, not echo",
                      "t.yaml:5:37: keepalive belongs to workload kind keepalive, not echo"}));
  EXPECT_EQ(problems_of(kTcp + "workload:\n  kind: keepalive\n  keepalive: {idle_s: 0, count: 200}\n"),
            (Problems{"t.yaml:7:14: missing required key 'intvl_s' in workload.keepalive",
                      "t.yaml:7:23: idle_s must be in [1, 32767], got 0",
                      "t.yaml:7:33: count must be in [1, 127], got 200"}));
  EXPECT_EQ(problems_of(kTcp + "workload: {bytes: 10, echo_bytes: 10, chunk: 2000000}\n"),
            (Problems{"t.yaml:5:23: give bytes or echo_bytes (the same number), not both",
                      "t.yaml:5:46: chunk 2000000 is more than a tcp peer accepts (--chunk 1..1048576, one write(), "
                      "peers/CONTRACT.md)"}));
}

TEST(TcpScenarioErrors, DtlsTimerAndIpv6Mtu) {
  EXPECT_EQ(problems_of(kTcp + "ip: 6\npeers: {timer_initial_ms: 100}\nlink: {mtu: 1000}\n"),
            (Problems{"t.yaml:6:9: timer_initial_ms is the DTLS retransmission timer; a TCP stack's timers come from "
                      "its sysctls (peers.client.sysctls)",
                      "t.yaml:7:13: link.mtu 1000 is below IPv6's minimum link MTU of 1280 (RFC 8200 5); lower it in "
                      "the timeline to test a smaller path"}));
  EXPECT_EQ(problems_of(kTcp + "peers: {mtu: 500}\n"),
            (Problems{"t.yaml:5:14: peers.mtu 500 is outside what a tcp peer accepts (--mtu 576..65535, "
                      "peers/CONTRACT.md)"}));
}

TEST(TcpScenarioErrors, ChecksOfTheOtherProtocol) {
  EXPECT_EQ(problems_of(kTcp + "expect:\n  checks: {mtu_fit: on, tcp_handshake: on, fast_retransmitt: on}\n"),
            (Problems{"t.yaml:6:12: check 'mtu_fit' judges dtls1.2, not this scenario's protocol tcp (its checks: "
                      "tcp_handshake, syn_retransmission_schedule, rto_backoff, rto_matches_stack, fast_retransmit, "
                      "segments_fit_mss, zero_window_probe, delayed_ack, graceful_close, "
                      "tcp_data_intact, pmtud_response, blind_reset_defence, keepalive, urgent_data)",
                      "t.yaml:6:44: unknown check 'fast_retransmitt' in expect.checks (did you mean 'fast_retransmit'?) "
                      "(known checks: tcp_handshake, syn_retransmission_schedule, rto_backoff, rto_matches_stack, "
                      "fast_retransmit, segments_fit_mss, zero_window_probe, delayed_ack, "
                      "graceful_close, tcp_data_intact, pmtud_response, blind_reset_defence, keepalive, urgent_data)"}));
  EXPECT_EQ(problems_of(kDtls + "expect:\n  checks: {tcp_handshake: on}\n"),
            (Problems{"t.yaml:6:12: check 'tcp_handshake' judges tcp, tls1.2, tls1.3, not this scenario's protocol dtls1.2 (its "
                      "checks: handshake_completes, app_data_intact, record_boundaries, mtu_fit, fragments_consistent, "
                      "retransmission_schedule, record_sequence, cookie_exchange, last_flight_answered)"}));
}

}  // namespace
}  // namespace wireproof::scenario
