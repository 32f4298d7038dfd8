#include "harness/virtual/virtual_run.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "harness/virtual/peer_setup.hpp"

namespace wireproof::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

runner::RunConfig config(const std::string& name) {
  runner::RunConfig cfg;
  cfg.scenario.name = name;
  cfg.scenario.workload = {3000, 500};
  cfg.scenario.run_timeout_s = 30;
  cfg.client.name = "ref";
  cfg.client.implementation = "wireproof";
  cfg.client.version = "test";
  cfg.server = cfg.client;
  cfg.out_dir = fs::temp_directory_path() / ("wp_virtual_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(cfg.out_dir);
  return cfg;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<json> lines(const fs::path& p) {
  std::vector<json> out;
  std::ifstream f(p);
  for (std::string l; std::getline(f, l);) out.push_back(json::parse(l));
  return out;
}

TEST(VirtualRun, CleanRunPassesAndWritesTheRunDirectory) {
  auto cfg = config("clean");
  json r = run_virtual(cfg);
  EXPECT_EQ(r["verdict"], "pass") << r.dump(2);
  EXPECT_EQ(r["clock"], "virtual");
  EXPECT_EQ(r["client"]["exit_code"], 0);
  EXPECT_EQ(r["server"]["exit_code"], 0);
  EXPECT_EQ(r["app_data"]["server"]["unique_chunks"], 6);
  for (auto f : {"events.jsonl", "capture.pcapng", "client.stdout", "server.stdout", "result.json"})
    EXPECT_TRUE(fs::exists(cfg.out_dir / f)) << f;
  auto client_events = lines(cfg.out_dir / "client.stdout");
  ASSERT_FALSE(client_events.empty());
  EXPECT_EQ(client_events.front()["event"], "ready");
  EXPECT_EQ(client_events.back()["event"], "closed");
  fs::remove_all(cfg.out_dir);
}

TEST(VirtualRun, LostServerFlightIsRetransmittedAfterOneVirtualSecond) {
  auto cfg = config("lost");
  scenario::Rule drop;
  drop.name = "drop-server-hello";
  drop.dir = scenario::Direction::s2c;
  drop.match.handshake_type = 2;
  drop.count = 1;
  cfg.scenario.rules.push_back(drop);
  json r = run_virtual(cfg);
  EXPECT_EQ(r["verdict"], "pass") << r.dump(2);
  EXPECT_EQ(r["wire"]["dropped"], 1);
  EXPECT_GT(r["virtual_duration_s"].get<double>(), 1.0);
  EXPECT_LT(r["duration_s"].get<double>(), 5.0);
  fs::remove_all(cfg.out_dir);
}

TEST(VirtualRun, ServerThatNeverAnswersFailsTheHandshake) {
  auto cfg = config("silent");
  scenario::Rule drop;
  drop.name = "drop-all-s2c";
  drop.dir = scenario::Direction::s2c;
  cfg.scenario.rules.push_back(drop);
  cfg.scenario.run_timeout_s = 10;
  json r = run_virtual(cfg);
  EXPECT_EQ(r["verdict"], "fail") << r.dump(2);
  EXPECT_EQ(r["client"]["exit_code"], 1);
  EXPECT_EQ(r["handshake"]["completed"], false);
  fs::remove_all(cfg.out_dir);
}

TEST(VirtualRun, SameSeedSameBytesOtherSeedOtherBytes) {
  auto with_loss = [](const std::string& name, std::uint64_t seed) {
    auto cfg = config(name);
    cfg.seed = seed;
    scenario::Rule drop;
    drop.name = "drop-server-hello";
    drop.dir = scenario::Direction::s2c;
    drop.match.handshake_type = 2;
    drop.count = 1;
    cfg.scenario.rules.push_back(drop);
    EXPECT_EQ(run_virtual(cfg)["verdict"], "pass");
    return cfg.out_dir;
  };
  auto a = with_loss("seed_a", 5), b = with_loss("seed_b", 5), c = with_loss("seed_c", 6);
  for (auto f : {"events.jsonl", "capture.pcapng", "client.stdout", "server.stdout", "pki/ca.pem", "pki/server.key",
                 "pki/client.pem"}) {
    EXPECT_FALSE(slurp(a / f).empty()) << f;
    EXPECT_EQ(slurp(a / f), slurp(b / f)) << f;
  }
  EXPECT_NE(slurp(a / "events.jsonl"), slurp(c / "events.jsonl"));
  EXPECT_NE(slurp(a / "capture.pcapng"), slurp(c / "capture.pcapng"));
  EXPECT_NE(slurp(a / "pki/ca.pem"), slurp(c / "pki/ca.pem"));
  for (const auto& d : {a, b, c}) fs::remove_all(d);
}

// A scenario whose rule can never match tests nothing it says: the run is an
// error naming the rule, with the checks still reported. Before wire.rules,
// the run passed.
TEST(VirtualRun, ARuleThatNeverMatchedMakesTheRunAnError) {
  auto cfg = config("no_effect");
  scenario::Rule drop;
  drop.name = "drop-hello-request";
  drop.match.handshake_type = 0;  // HelloRequest: DTLS 1.2 peers here never send one
  cfg.scenario.rules.push_back(drop);
  scenario::TimelineEntry late;
  late.at_ms = 600'000;  // after the run
  late.set_mtu = 576;
  late.must_fire = false;
  cfg.scenario.timeline.push_back(late);
  json r = run_virtual(cfg);
  EXPECT_EQ(r["verdict"], "error") << r.dump(2);
  EXPECT_EQ(r["reason"], "scenario had no effect: rule drop-hello-request never matched");
  ASSERT_FALSE(r["checks"].empty()) << "checks are still reported";
  EXPECT_EQ(r["checks"][0]["verdict"], "pass");
  const auto& rules = r["wire"]["rules"];
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0], json({{"kind", "rule"}, {"name", "drop-hello-request"}, {"hits", 0}, {"matched", 0},
                            {"must_fire", true}}));
  EXPECT_EQ(rules[1], json({{"kind", "timeline"}, {"name", "at 600000 ms"}, {"hits", 0}, {"must_fire", false}}));
  fs::remove_all(cfg.out_dir);

  cfg.scenario.rules[0].must_fire = false;  // "may legitimately never fire"
  r = run_virtual(cfg);
  EXPECT_EQ(r["verdict"], "pass") << r.dump(2);
  fs::remove_all(cfg.out_dir);

  cfg.scenario.rules[0].must_fire = true;
  cfg.scenario.timeline[0].must_fire = true;
  cfg.scenario.rules[0].match.handshake_type = 2;  // ServerHello: fires
  cfg.scenario.rules[0].count = 1;
  r = run_virtual(cfg);
  EXPECT_EQ(r["verdict"], "error") << r.dump(2);
  EXPECT_EQ(r["reason"], "scenario had no effect: timeline entry 'at 600000 ms' never fired");
  EXPECT_EQ(r["wire"]["rules"][0]["hits"], 1);
  fs::remove_all(cfg.out_dir);
}

// A real failure stays a failure (the stack failed whatever the scenario
// did); the reason still says what never fired.
TEST(VirtualRun, AFailureWithARuleThatNeverFiredStaysAFailure) {
  auto cfg = config("fail_no_effect");
  scenario::Rule drop;
  drop.name = "drop-all-s2c";
  drop.dir = scenario::Direction::s2c;
  scenario::Rule finished;
  finished.name = "drop-client-finished";
  finished.dir = scenario::Direction::c2s;
  finished.match.flight = 5;
  cfg.scenario.rules = {drop, finished};
  cfg.scenario.run_timeout_s = 10;
  json r = run_virtual(cfg);
  EXPECT_EQ(r["verdict"], "fail") << r.dump(2);
  EXPECT_NE(r["reason"].get<std::string>().find("scenario had no effect: rule drop-client-finished never matched"),
            std::string::npos)
      << r["reason"];
  fs::remove_all(cfg.out_dir);
}

}  // namespace
}  // namespace wireproof::sim
