#include "harness/scenario/loader.hpp"

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace wireproof::scenario {
namespace {

namespace fs = std::filesystem;
const std::string kSource = WIREPROOF_SOURCE_DIR;
const std::string kTestdata = "harness/scenario/testdata/";

// Problems reported for a file (relative to the source dir), or {} if it loads.
std::vector<std::string> problems_of_file(const std::string& relative) {
  fs::current_path(kSource);
  try {
    load_scenario_file(relative);
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

std::vector<std::string> problems_of_text(const std::string& text) {
  try {
    load_scenario_text(text, "t.yaml");
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

const std::string kHeader =
    "name: t\n"
    "description: test\n"
    "refs: [\"RFC 6347 4.2.4\"]\n"
    "protocol: dtls1.2\n";  // 4 lines: the first line after it is line 5

using Problems = std::vector<std::string>;

TEST(ShippedScenarios, AllLoadAndNameMatchesFile) {
  fs::current_path(kSource);
  int count = 0;
  for (const auto& entry : fs::directory_iterator("scenarios/dtls")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    ++count;
    Scenario sc;
    ASSERT_NO_THROW(sc = load_scenario_file(entry.path().string())) << problems_of_file(entry.path().string())[0];
    EXPECT_EQ(sc.name, entry.path().stem().string());
    EXPECT_EQ(sc.file, entry.path().string());
    EXPECT_FALSE(sc.refs.empty());
    // Every description quotes the RFC sentence it exercises.
    EXPECT_NE(sc.description.find("RFC 6347"), std::string::npos);
    EXPECT_NE(sc.description.find('"'), std::string::npos);
  }
  EXPECT_GE(count, 13);
}

// docs/SCENARIO.md is the format's one description: its example must load.
TEST(ShippedScenarios, DocumentationExampleLoads) {
  std::ifstream in(kSource + "/docs/SCENARIO.md");
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto start = doc.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  std::string example = doc.substr(start, doc.find("```", start) - start);
  EXPECT_EQ(problems_of_text(example), Problems{});
}

TEST(BadFiles, UnknownKeyWithSuggestion) {
  EXPECT_EQ(problems_of_file(kTestdata + "unknown_key.yaml"),
            (Problems{kTestdata + "unknown_key.yaml:6:5: missing required key 'action' in rule 'drop-hello'",
                      kTestdata + "unknown_key.yaml:8:5: unknown key 'acton' in rule 'drop-hello' (did you mean 'action'?)"}));
}

TEST(BadFiles, WrongType) {
  EXPECT_EQ(problems_of_file(kTestdata + "wrong_type.yaml"),
            (Problems{kTestdata + "wrong_type.yaml:6:8: mtu must be an integer, got 'large'"}));
}

TEST(BadFiles, OutOfRange) {
  EXPECT_EQ(problems_of_file(kTestdata + "out_of_range.yaml"),
            (Problems{kTestdata + "out_of_range.yaml:7:18: probability must be in [0, 1], got 1.5"}));
}

TEST(BadFiles, BadHandshakeTypeName) {
  EXPECT_EQ(problems_of_file(kTestdata + "bad_name.yaml"),
            (Problems{kTestdata +
                      "bad_name.yaml:9:23: handshake_type 'server_helo' is not a handshake type name (expected one of "
                      "client_hello, server_hello, hello_verify_request, certificate, server_key_exchange, "
                      "certificate_request, server_hello_done, certificate_verify, client_key_exchange, finished)"}));
}

TEST(BadFiles, DuplicateRuleName) {
  EXPECT_EQ(problems_of_file(kTestdata + "duplicate_rule.yaml"),
            (Problems{kTestdata + "duplicate_rule.yaml:9:11: duplicate rule name 'drop-once' (first defined at line 6)"}));
}

TEST(BadFiles, SyntaxError) {
  EXPECT_EQ(problems_of_file(kTestdata + "syntax_error.yaml"),
            (Problems{kTestdata + "syntax_error.yaml:4:1: YAML syntax error: end of sequence flow not found"}));
}

TEST(BadFiles, MissingRequiredKeys) {
  EXPECT_EQ(problems_of_file(kTestdata + "missing_key.yaml"),
            (Problems{kTestdata + "missing_key.yaml:1:1: missing required key 'refs' at top level",
                      kTestdata + "missing_key.yaml:5:5: missing required key 'name' in rule 1"}));
}

TEST(BadFiles, EveryProblemInOneFileIsReported) {
  const std::string f = kTestdata + "many_errors.yaml";
  EXPECT_EQ(problems_of_file(f),
            (Problems{
                f + ":1:7: name 'Many Errors' must use only a-z, 0-9 and '-'",
                f + ":4:11: protocol 'dtls1.3' is not supported (did you mean 'dtls1.2'?) (expected one of dtls1.2, "
                    "tcp, tls1.2, tls1.3)",
                f + ":6:21: timer_initial_ms must be in [1, 60000], got -5",
                f + ":8:8: mtu must be in [68, 65535], got 40",
                f + ":11:10: dir must be c2s, s2c or both, got 'sideways'",
                f + ":13:5: parameter 'copies' does not belong to action 'drop' (drop takes no parameters)",
                f + ":15:5: timeline entry 1 has both at_ms and on; give exactly one trigger: at_ms or on",
                f + ":17:14: disable refers to unknown rule 'drop-helo' (did you mean 'drop-hello'?) (rules are drop-hello)",
                f + ":20:5: unknown check 'mtu_fitt' in expect.checks (did you mean 'mtu_fit'?) (known checks: "
                    "handshake_completes, app_data_intact, record_boundaries, mtu_fit, fragments_consistent, "
                    "retransmission_schedule, record_sequence, cookie_exchange, last_flight_answered)",
            }));
}

TEST(BadFiles, MissingFileSaysSo) {
  EXPECT_EQ(problems_of_file("no/such.yaml"), (Problems{"no/such.yaml: cannot open the scenario file (check the path)"}));
}

TEST(Validation, ParameterOfAnotherAction) {
  EXPECT_EQ(problems_of_text(kHeader + "rules:\n  - name: d\n    action: delay\n    ms: 5\n    hold: 2\n"),
            (Problems{"t.yaml:9:5: parameter 'hold' does not belong to action 'delay' (delay takes ms, jitter_ms)"}));
}

TEST(Validation, UnknownAction) {
  EXPECT_EQ(problems_of_text(kHeader + "rules:\n  - name: d\n    action: dorp\n"),
            (Problems{"t.yaml:7:13: action 'dorp' is not an action (did you mean 'drop'?) (expected one of drop, "
                      "duplicate, delay, reorder, corrupt, burst_loss, rst, window)"}));
}

TEST(Validation, TimelineEntryWithoutTriggerOrChange) {
  EXPECT_EQ(problems_of_text(kHeader + "timeline:\n  - set: { mtu: 576 }\n  - at_ms: 5\n"),
            (Problems{"t.yaml:6:5: timeline entry 1 has no trigger; give exactly one trigger: at_ms or on",
                      "t.yaml:7:5: timeline entry 2 changes nothing; give set, enable or disable"}));
}

TEST(Validation, UnknownKeyInTimelineAndNegativeTime) {
  EXPECT_EQ(problems_of_text(kHeader + "timeline:\n  - on: { peer: client, evnt: closed }\n    set: { mtu: 576 }\n"
                                       "  - at_ms: -1\n    set: { mtu: 576 }\n"),
            (Problems{"t.yaml:6:9: missing required key 'event' in 'on' of timeline entry 1",
                      "t.yaml:6:25: unknown key 'evnt' in 'on' of timeline entry 1 (did you mean 'event'?)",
                      "t.yaml:8:12: at_ms must be >= 0, got -1"}));
}

TEST(Validation, QuotedNumberIsAString) {
  EXPECT_EQ(problems_of_text(kHeader + "link: { mtu: \"576\" }\n"),
            (Problems{"t.yaml:5:14: mtu must be an integer, got the string '576'"}));
}

TEST(Validation, DuplicateKey) {
  EXPECT_EQ(problems_of_text(kHeader + "link:\n  mtu: 576\n  mtu: 1500\n"),
            (Problems{"t.yaml:7:3: duplicate key 'mtu' in link"}));
}

TEST(Validation, SectionsOfTheWrongShape) {
  EXPECT_EQ(problems_of_text(kHeader + "peers: 5\nrules: { name: r }\ntimeouts: { run_s: 0 }\n"),
            (Problems{"t.yaml:5:8: expected a mapping in peers, got '5'",
                      "t.yaml:6:8: rules must be a list of rules, got a mapping",
                      "t.yaml:7:20: run_s must be in (0, 3600], got 0"}));
}

TEST(Validation, UndefinedAliasIsASyntaxError) {
  EXPECT_EQ(problems_of_text(kHeader + "link: *nothing\n"),
            (Problems{"t.yaml:5:7: YAML syntax error: the referenced anchor is not defined"}));
}

TEST(Loading, FullDocumentFillsTheModel) {
  Scenario sc = load_scenario_text(kHeader +
                                       "peers: { timer_initial_ms: 100, mtu: 1500 }\n"
                                       "link: { mtu: 1400, delay_ms: 5 }\n"
                                       "rules:\n"
                                       "  - name: lossy\n"
                                       "    dir: s2c\n"
                                       "    match: { handshake_type: 2, content_type: handshake, retransmission: no }\n"
                                       "    skip: 1\n    count: 2\n    probability: 0.5\n"
                                       "    action: burst_loss\n    p: 0.1\n    r: 0.4\n"
                                       "  - name: flip\n    action: corrupt\n    xor: 0x0f\n"
                                       "timeline:\n"
                                       "  - on: { dir: s2c, handshake_type: server_hello_done }\n    set: { mtu: 576 }\n"
                                       "  - on: { peer: client, event: handshake_done }\n    disable: lossy\n"
                                       "  - at_ms: 2000\n    enable: lossy\n"
                                       "workload: { echo_bytes: 102400, chunk: 500 }\n"
                                       "timeouts: { run_s: 45 }\n"
                                       "expect:\n  handshake: fail\n  retransmit: { tolerance_ms: 50 }\n"
                                       "  checks:\n    retransmission_schedule: off\n"
                                       "    mtu_fit: { grace_retransmissions: 2, note: x }\n",
                                   "full.yaml");
  EXPECT_EQ(sc.file, "full.yaml");
  EXPECT_EQ(sc.peers.timer_initial_ms, 100);
  EXPECT_EQ(sc.link.mtu, 1400);
  ASSERT_EQ(sc.rules.size(), 2u);
  const Rule& lossy = sc.rules[0];
  EXPECT_EQ(lossy.dir, Direction::s2c);
  EXPECT_EQ(lossy.match.handshake_type, 2);
  EXPECT_EQ(lossy.match.content_type, 22);
  EXPECT_EQ(lossy.match.retransmission, false);
  EXPECT_EQ(lossy.skip, 1u);
  EXPECT_EQ(lossy.count, 2u);
  EXPECT_DOUBLE_EQ(lossy.probability, 0.5);
  ASSERT_TRUE(std::holds_alternative<BurstLoss>(lossy.action));
  EXPECT_DOUBLE_EQ(std::get<BurstLoss>(lossy.action).p, 0.1);
  EXPECT_DOUBLE_EQ(std::get<BurstLoss>(lossy.action).loss_bad, 1.0);
  ASSERT_TRUE(std::holds_alternative<Corrupt>(sc.rules[1].action));
  EXPECT_EQ(std::get<Corrupt>(sc.rules[1].action).xor_mask, 0x0f);
  ASSERT_EQ(sc.timeline.size(), 3u);
  EXPECT_EQ(sc.timeline[0].set_mtu, 576);
  EXPECT_EQ(sc.timeline[0].describe(), "on s2c server_hello_done");
  EXPECT_EQ(sc.timeline[1].describe(), "on client handshake_done");
  EXPECT_EQ(sc.timeline[1].disable_rule, "lossy");
  EXPECT_EQ(sc.timeline[2].describe(), "at 2000 ms");
  EXPECT_EQ(sc.timeline[2].enable_rule, "lossy");
  EXPECT_EQ(sc.workload.echo_bytes, 102400u);
  EXPECT_EQ(sc.workload.chunk, 500u);
  EXPECT_DOUBLE_EQ(sc.run_timeout_s, 45);
  EXPECT_FALSE(sc.expect.handshake_completes);
  EXPECT_DOUBLE_EQ(sc.expect.retransmit_tolerance_ms, 50);
  EXPECT_EQ(sc.expect.checks_enabled.at("retransmission_schedule"), false);
  EXPECT_EQ(sc.expect.checks_enabled.at("mtu_fit"), true);
  EXPECT_EQ(nlohmann::json::parse(sc.expect.check_params_json.at("mtu_fit")),
            (nlohmann::json{{"grace_retransmissions", 2}, {"note", "x"}}));
}

TEST(Loading, DefaultsWhenSectionsAreAbsent) {
  Scenario sc = load_scenario_text(kHeader, "min.yaml");
  EXPECT_EQ(sc.link.mtu, 1500);
  EXPECT_FALSE(sc.peers.timer_initial_ms.has_value());
  EXPECT_TRUE(sc.rules.empty());
  EXPECT_EQ(sc.workload.echo_bytes, 4096u);
  EXPECT_DOUBLE_EQ(sc.run_timeout_s, 30);
  EXPECT_TRUE(sc.expect.handshake_completes);
}

// validate == run. Before: chunk 16377-16384 and an MTU of 68-255 loaded,
// then every peer refused the value (usage error) and the run was an `error`.
TEST(ValidateEqualsRun, ChunkAndMtuOutsideThePeerContractAreRefused) {
  using Problems = std::vector<std::string>;
  EXPECT_EQ(problems_of_text(kHeader + "workload: { chunk: 16377 }\n"),
            (Problems{"t.yaml:5:20: chunk 16377 is more than a dtls1.2 peer accepts (--chunk 1..16376: a record's "
                      "16384 plaintext bytes minus the 8-byte chunk index, peers/CONTRACT.md)"}));
  EXPECT_EQ(problems_of_text(kHeader + "workload: { chunk: 16376 }\n"), Problems{});
  EXPECT_EQ(problems_of_text(kHeader + "peers: { mtu: 255 }\n"),
            (Problems{"t.yaml:5:15: peers.mtu 255 is outside what a dtls1.2 peer accepts (--mtu 256..65535, "
                      "peers/CONTRACT.md)"}));
  auto link_only = problems_of_text(kHeader + "link: { mtu: 200 }\n");
  ASSERT_EQ(link_only.size(), 1u);
  EXPECT_EQ(link_only[0].rfind("t.yaml:5:14: link.mtu 200 is also the peers' --mtu", 0), 0u) << link_only[0];
  // The peers get their own MTU: the link may be smaller.
  EXPECT_EQ(problems_of_text(kHeader + "peers: { mtu: 576 }\nlink: { mtu: 200 }\n"), Problems{});
  EXPECT_EQ(problems_of_text(kHeader + "peers: { mtu: 256 }\n"), Problems{});
}

// Before: a non-UTF-8 byte loaded, then `run` died writing result.json.
TEST(ValidateEqualsRun, NonUtf8BytesAreRefusedWithTheirPosition) {
  using Problems = std::vector<std::string>;
  const std::string bad_description =
      "name: t\ndescription: caf\xe9 au lait\nrefs: [\"RFC 6347 4.2.4\"]\nprotocol: dtls1.2\n";
  EXPECT_EQ(problems_of_text(bad_description),
            (Problems{"t.yaml:2:17: byte 0xe9 is not valid UTF-8 (scenario files are UTF-8 text)"}));
  // Columns count characters: a valid 2-byte character before the bad byte is one column.
  EXPECT_EQ(problems_of_text("name: t\ndescription: \xc3\xa9\xff\n"),
            (Problems{"t.yaml:2:15: byte 0xff is not valid UTF-8 (scenario files are UTF-8 text)"}));
  EXPECT_EQ(problems_of_text(kHeader + "# overlong: \xc0\xaf\n").at(0).rfind("t.yaml:5:13: byte 0xc0", 0), 0u);
  EXPECT_EQ(problems_of_text(kHeader + "# surrogate: \xed\xa0\x80\n").at(0).rfind("t.yaml:5:14: byte 0xed", 0), 0u);
  EXPECT_EQ(problems_of_text("name: t\ndescription: caf\xc3\xa9 \xf0\x9f\x94\x92\nrefs: [\"RFC 6347 4.2.4\"]\n"
                             "protocol: dtls1.2\n"),
            Problems{});
}

// Before: a 57 MB file took 4 GB of memory to validate.
TEST(ValidateEqualsRun, AFileOverOneMebibyteIsRefusedUnread) {
  auto path = fs::temp_directory_path() / ("wp_big_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << kHeader << "# " << std::string(1024 * 1024, 'x') << "\n";
  }
  const auto size = fs::file_size(path);
  std::vector<std::string> problems;
  try {
    load_scenario_file(path.string());
  } catch (const ScenarioError& e) {
    problems = e.problems();
  }
  fs::remove(path);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], path.string() + ":1:1: the file is " + std::to_string(size) +
                            " bytes; a scenario may be at most 1048576 bytes (1 MiB)");
}

TEST(Loading, MustFireDefaultsToTrueAndCanBeTurnedOff) {
  Scenario sc = load_scenario_text(kHeader +
                                       "rules:\n"
                                       "  - name: lossy\n    probability: 0.01\n    action: drop\n    must_fire: false\n"
                                       "  - name: always\n    action: drop\n"
                                       "timeline:\n"
                                       "  - at_ms: 9000\n    set: { mtu: 576 }\n    must_fire: no\n"
                                       "  - at_ms: 10\n    set: { mtu: 576 }\n",
                                   "fire.yaml");
  ASSERT_EQ(sc.rules.size(), 2u);
  EXPECT_FALSE(sc.rules[0].must_fire);
  EXPECT_TRUE(sc.rules[1].must_fire);
  ASSERT_EQ(sc.timeline.size(), 2u);
  EXPECT_FALSE(sc.timeline[0].must_fire);
  EXPECT_TRUE(sc.timeline[1].must_fire);
  EXPECT_EQ(problems_of_text(kHeader + "rules:\n  - name: d\n    action: drop\n    must_fire: maybe\n"),
            (Problems{"t.yaml:8:16: must_fire must be true or false, got 'maybe'"}));
}

TEST(Describe, DatagramTriggerListsItsFields) {
  TimelineEntry e;
  Match m;
  m.flight = 5;
  m.retransmission = true;
  e.on_datagram = std::make_pair(Direction::c2s, m);
  EXPECT_EQ(e.describe(), "on c2s flight 5 retransmission");
  e.on_datagram = std::make_pair(Direction::both, Match{});
  EXPECT_EQ(e.describe(), "on datagram");
  Match unknown;
  unknown.handshake_type = 99;
  e.on_datagram = std::make_pair(Direction::s2c, unknown);
  EXPECT_EQ(e.describe(), "on s2c handshake_type 99");
}

}  // namespace
}  // namespace wireproof::scenario
