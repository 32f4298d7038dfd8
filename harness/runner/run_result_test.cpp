// assemble_result: what the checks are given about each side (the timer it
// was asked for) and what result.json says about it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/checks/testdata/log_builder.hpp"
#include "harness/runner/run_result.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::runner {
namespace {

using nlohmann::json;
namespace t = checks::testing;

PeerEnd exited(const std::string& role);

// The client asked (argv) for `asked_ms`, reporting `reported_ms` in its
// ready event, with its ClientHello resent unanswered at 1 s and 3 s.
struct Fixture {
  t::LogBuilder b;
  RunConfig cfg;
  RunRecord rec;

  Fixture(std::optional<int> argv_timer_ms, std::optional<int> reported_ms) {
    b.scenario.peers.timer_initial_ms = argv_timer_ms;
    const auto ch = [](std::uint64_t seq) {
      return t::record(t::kHandshake, 0, seq, t::handshake_message(1, 0, t::client_hello_body({})));
    };
    b.datagram("c2s", 0, ch(0), 1);
    for (double at : {1000.0, 3000.0}) {
      auto& d = b.datagram("c2s", at, ch(static_cast<std::uint64_t>(at)), 1, true);
      d.fate = "dropped";
      d.deliveries_us.clear();
    }
    cfg.scenario = b.scenario;
    // Field by field: GCC 12 reports a false maybe-uninitialized for the aggregate temporary.
    cfg.client.name = "peer";
    cfg.client.implementation = "Impl";
    cfg.client.version = "1.0";
    cfg.client.argv_prefix = {"peer"};
    cfg.server = cfg.client;
    rec.config = &cfg;
    rec.log = &b.log;
    std::vector<std::string> argv = {"peer", "--role", "client"};
    if (argv_timer_ms) argv.insert(argv.end(), {"--timer-initial-ms", std::to_string(*argv_timer_ms)});
    json ready = {{"event", "ready"}, {"port", 1}};
    if (reported_ms) ready["timer_initial_ms_effective"] = *reported_ms;
    rec.client = {&cfg.client, argv, {ready}, exited("client")};
    rec.server = {&cfg.server, {"peer", "--role", "server"}, {}, exited("server")};
  }
};

PeerEnd exited(const std::string& role) {
  PeerEnd e;
  e.role = role;
  e.exit_code = 0;
  e.exit_reason = "exited 0";
  return e;
}

json check(const json& result, const std::string& name) {
  for (const auto& c : result["checks"])
    if (c["name"] == name) return c;
  return nullptr;
}

TEST(RunResult, APeerIsJudgedAgainstTheTimerItWasAskedNotTheOneItReports) {
  Fixture f(100, 1000);  // asked 100 ms; says 1000 and retransmits at 1 s
  json r = assemble_result(f.rec);
  const json c = check(r, "retransmission_schedule");
  EXPECT_EQ(c["verdict"], "fail") << c.dump(1);
  EXPECT_EQ(c["expected"]["initial_ms_by_dir"]["c2s"], 100.0);
  EXPECT_NE(c["detail"].get<std::string>().find("asked for 100 ms but reported 1000 ms"), std::string::npos)
      << c["detail"];
  EXPECT_EQ(r["client"]["timer_initial_ms_effective"], 100);
  EXPECT_EQ(r["client"]["timer_initial_ms_reported"], 1000);
  EXPECT_NE(r["client"]["timer_contract_violation"].get<std::string>().find("asked for 100 ms"), std::string::npos);
  EXPECT_TRUE(r["server"]["timer_contract_violation"].is_null());
}

TEST(RunResult, APeerAskedNothingIsJudgedAgainstTheLibraryDefault) {
  Fixture f(std::nullopt, std::nullopt);
  json r = assemble_result(f.rec);
  EXPECT_EQ(check(r, "retransmission_schedule")["verdict"], "pass");
  EXPECT_EQ(r["client"]["timer_initial_ms_effective"], 1000);
}

TEST(RunResult, AStockToolsFixedTimerIsWhatItWasAsked) {
  // The registry says the tool cannot take the option: its timer is 1 s.
  Fixture f(100, 1000);
  f.cfg.client.kind = "stock";
  f.cfg.client.fixed_timer_ms_as_client = 1000;
  json r = assemble_result(f.rec);
  EXPECT_EQ(check(r, "retransmission_schedule")["verdict"], "pass");
  EXPECT_EQ(r["client"]["timer_initial_ms_effective"], 1000);
  EXPECT_TRUE(r["client"]["timer_contract_violation"].is_null());
}

// The files every run ends with (real and virtual runs share write_run_files).
struct RunDir {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("wp-run-files-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                               "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  RunDir() { std::filesystem::create_directories(dir); }
  ~RunDir() { std::filesystem::remove_all(dir); }
  json result() const { return json::parse(std::ifstream(dir / "result.json")); }
};

TEST(RunFiles, WritesTheCaptureThenResultJson) {
  RunDir d;
  json result = {{"verdict", "pass"}};
  write_run_files(d.dir, result, [](std::ostream& out) { out << "pcapng"; });
  std::string cap;
  std::ifstream(d.dir / "capture.pcapng") >> cap;
  EXPECT_EQ(cap, "pcapng");
  EXPECT_EQ(d.result(), result);
  EXPECT_FALSE(result.contains("capture_error"));
}

// The secrets block's NSS text in a capture, by walking its blocks (empty: none).
std::string dsb_secrets(const std::string& file) {
  bytes::Reader r(std::span(reinterpret_cast<const std::uint8_t*>(file.data()), file.size()));
  std::string out;
  for (std::uint32_t type = 0, len = 0; r.get_u32(type) && r.get_u32(len) && len >= 12;) {
    bytes::Reader body;
    if (!r.get_sub(len - 8, body)) break;
    std::uint32_t secrets_type = 0, secrets_len = 0;
    std::span<const std::uint8_t> secrets;
    if (type == 0x0000000A && body.get_u32(secrets_type) && body.get_u32(secrets_len) && body.get_bytes(secrets_len, secrets))
      out.append(secrets.begin(), secrets.end());
  }
  return out;
}

TEST(RunFiles, TheRunsKeyLogsRideInTheCapture) {
  RunDir d;
  const std::string random(64, 'a');
  std::ofstream(d.dir / "keylog-server.txt") << "SERVER_HANDSHAKE_TRAFFIC_SECRET " << random << " 02\n";
  std::ofstream(d.dir / "keylog-client.txt") << "CLIENT_HANDSHAKE_TRAFFIC_SECRET " << random << " 01";  // no newline
  json result = {{"verdict", "pass"}};
  const events::EventLog log;
  write_run_files(d.dir, result, [&](std::ostream& out) { capture::write_pcapng(log, {}, out); });
  EXPECT_FALSE(result.contains("capture_error")) << result.dump();
  std::ifstream in(d.dir / "capture.pcapng", std::ios::binary);
  const std::string cap(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(dsb_secrets(cap), "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + random + " 01\nSERVER_HANDSHAKE_TRAFFIC_SECRET " +
                                  random + " 02\n");
}

TEST(RunFiles, WithoutKeyLogsTheCaptureIsTheWritersUntouched) {
  RunDir none;
  json result = {{"verdict", "pass"}};
  const events::EventLog log;
  write_run_files(none.dir, result, [&](std::ostream& out) { capture::write_pcapng(log, {}, out); });
  std::ifstream in2(none.dir / "capture.pcapng", std::ios::binary);
  std::ostringstream plain;
  capture::write_pcapng(log, {}, plain);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in2), {}), plain.str());
}

TEST(RunFiles, ACaptureFailureIsRecordedAndTheVerdictStands) {
  RunDir d;
  json result = {{"verdict", "pass"}};
  write_run_files(d.dir, result, [](std::ostream&) { throw std::runtime_error("no packets"); });
  EXPECT_EQ(result["capture_error"], "no packets");
  EXPECT_EQ(d.result()["capture_error"], "no packets");
  EXPECT_EQ(d.result()["verdict"], "pass");
}

TEST(RunFiles, NoCaptureWriterWritesOnlyResultJson) {
  RunDir d;
  json result = {{"verdict", "error"}};
  write_run_files(d.dir, result, nullptr);
  EXPECT_FALSE(std::filesystem::exists(d.dir / "capture.pcapng"));
  EXPECT_EQ(d.result()["verdict"], "error");
}

TEST(RunFiles, AnUnwritableResultJsonIsAnErrorNamingIt) {
  RunDir d;
  json result = {{"verdict", "pass"}};
  const auto missing = d.dir / "gone";
  try {
    write_run_files(missing, result, nullptr);
    FAIL() << "no error for an unwritable result.json";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("result.json: cannot write"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wireproof::runner
