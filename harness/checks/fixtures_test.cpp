// The checks on real wire bytes: an OpenSSL 3.0 s_client <-> s_server DTLS 1.2
// handshake with a cookie exchange (testdata/openssl_dtls12_handshake.txt, one
// datagram per line, captured with tshark), and real events.jsonl files the
// runner wrote (testdata/real/<scenario>.<client>__<server>.events.jsonl; the
// peers' events are read from the log itself).
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

const std::string kTestdata = WP_CHECKS_TESTDATA;

// The captured datagrams, 1 ms apart; the first six are flights 1..6.
LogBuilder openssl_capture(int corrupt_datagram = -1, std::size_t corrupt_offset = 0) {
  std::ifstream in(kTestdata + "/openssl_dtls12_handshake.txt");
  EXPECT_TRUE(in) << "missing fixture";
  LogBuilder b;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string dir, hex;
    fields >> dir >> hex;
    Bytes payload = events::from_hex(hex);
    if (n == corrupt_datagram) payload.at(corrupt_offset) ^= 0x01;
    b.datagram(dir, n, payload, n < 6 ? std::optional<int>(n + 1) : std::nullopt);
    ++n;
  }
  return b;
}

TEST(OpenSslCapture, WireRulesHold) {
  auto b = openssl_capture();
  for (auto make : {make_record_boundaries, make_record_sequence, make_fragments_consistent, make_cookie_exchange,
                    make_mtu_fit}) {
    auto r = make()->run(b.inputs());
    EXPECT_EQ(r.verdict, Verdict::pass) << r.name << ": " << r.detail;
  }
  auto cookie = make_cookie_exchange()->run(b.inputs());
  EXPECT_EQ(cookie.measured["hello_verify_requests"][0]["server_version"], "feff");
  EXPECT_EQ(cookie.evidence, (std::vector<std::uint64_t>{0, 1, 2}));
  EXPECT_EQ(make_retransmission_schedule()->run(b.inputs()).verdict, Verdict::not_applicable);
}

TEST(OpenSslCapture, AChangedRandomInTheSecondClientHelloIsCaught) {
  // Datagram 2 is the ClientHello with the cookie: record header 13 + handshake
  // header 12 + client_version 2, then the random.
  auto b = openssl_capture(2, 13 + 12 + 2 + 5);
  auto r = make_cookie_exchange()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("random changed"), std::string::npos) << r.detail;
}

TEST(OpenSslCapture, AReusedSequenceNumberIsCaught) {
  // Datagram 4 (client flight 5) starts with an epoch-0 record numbered 2;
  // rewrite its low sequence byte to 1, the number the second ClientHello used.
  auto b = openssl_capture();
  auto& d = std::get<events::Datagram>(b.log.events[4]);
  d.records.at(0).seq = 1;
  auto r = make_record_sequence()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("reused"), std::string::npos) << r.detail;
}


struct RealRun {
  scenario::Scenario scenario;
  events::EventLog log;
  PeerOutcome client{"client", {}, 0, ""}, server{"server", {}, 0, ""};
  std::map<std::string, CheckResult> results() const {
    std::map<std::string, CheckResult> out;
    for (auto& r : run_checks({scenario, log, client, server})) out[r.name] = r;
    return out;
  }
};

// A runner's events.jsonl under the scenario settings it ran with.
RealRun real_run(const std::string& file, int timer_initial_ms) {
  RealRun run;
  std::ifstream in(kTestdata + "/real/" + file);
  EXPECT_TRUE(in) << file;
  run.log = events::read_jsonl(in, file);
  run.scenario.peers.timer_initial_ms = timer_initial_ms;
  return run;
}

TEST(RealRuns, ServerFlightLostOnceOpenSslClientGnuTlsServerPassesEveryCheck) {
  auto run = real_run("server-flight-lost-once.openssl__gnutls.events.jsonl", 100);
  for (const auto& [name, r] : run.results()) EXPECT_EQ(r.verdict, Verdict::pass) << name << ": " << r.detail;
  EXPECT_EQ(run.results()["retransmission_schedule"].measured["judged_retransmissions"], 2);
}

TEST(RealRuns, TheSameRunJudgedAgainstTheDefaultOneSecondTimerFails) {
  auto run = real_run("server-flight-lost-once.openssl__gnutls.events.jsonl", 100);
  run.scenario.peers.timer_initial_ms.reset();  // as if the peers had not been told 100 ms
  auto r = run.results()["retransmission_schedule"];
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("expected 1000 ms"), std::string::npos) << r.detail;
}

TEST(RealRuns, MtuShrinksMidHandshakeOpenSslServerBacksOff) {
  auto run = real_run("mtu-shrinks-mid-handshake.openssl__openssl.events.jsonl", 100);
  run.scenario.expect.check_params_json["mtu_fit"] = R"({"grace_retransmissions": 2})";
  auto results = run.results();
  for (const auto& [name, r] : results) EXPECT_EQ(r.verdict, Verdict::pass) << name << ": " << r.detail;
  EXPECT_EQ(results["mtu_fit"].measured["s2c"]["adapted"], true);
  EXPECT_GT(results["mtu_fit"].measured["s2c"]["tolerated_in_grace"].get<int>(), 0);
  EXPECT_GT(results["fragments_consistent"].measured["fragmented_messages"].get<int>(), 0);
}

TEST(RealRuns, MtuShrinksMidHandshakeGnuTlsServerNeverBacksOff) {
  auto run = real_run("mtu-shrinks-mid-handshake.openssl__gnutls.events.jsonl", 100);
  auto results = run.results();
  EXPECT_EQ(results["mtu_fit"].verdict, Verdict::fail);
  EXPECT_EQ(results["mtu_fit"].measured["s2c"]["adapted"], false);
  EXPECT_NE(results["mtu_fit"].detail.find("never backed off: s2c"), std::string::npos);
  EXPECT_EQ(results["handshake_completes"].verdict, Verdict::fail);
  // The wire rules themselves held.
  for (const char* name : {"record_boundaries", "record_sequence", "fragments_consistent", "cookie_exchange",
                           "retransmission_schedule"})
    EXPECT_EQ(results[name].verdict, Verdict::pass) << name << ": " << results[name].detail;
}

}  // namespace
}  // namespace wireproof::checks
