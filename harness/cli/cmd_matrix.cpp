#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "harness/cli/commands.hpp"
#include "harness/cli/peer_lookup.hpp"
#include "harness/runner/expectations.hpp"
#include "harness/runner/matrix.hpp"
#include "harness/runner/xpass.hpp"
#include "harness/checks/scenario_validation.hpp"
#include "harness/scenario/loader.hpp"

namespace fs = std::filesystem;

namespace wireproof::cli {

static std::string self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the wireproof executable: " + ec.message());
  return p.string();
}

// summary.json "xpass": the expected failures that covered a judged run but
// matched nothing, from the results the runs wrote (harness/runner/xpass.hpp).
static void add_xpass(nlohmann::json& summary, const runner::Expectations& expectations, const fs::path& out) {
  std::vector<nlohmann::json> results;
  for (const auto& run : summary["runs"]) {
    std::ifstream in(out / run["dir"].get<std::string>() / "result.json");
    results.push_back(in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json());
  }
  summary["xpass"] = runner::find_xpass(expectations, results);
  std::ofstream(out / "summary.json") << summary.dump(2) << '\n';
}

int cmd_matrix(const MatrixOptions& o) {
  auto shard = runner::parse_shard(o.shard);
  // Validate everything before running anything: a typo should not cost a matrix.
  std::vector<std::pair<std::string, std::string>> scenarios;  // (name, file)
  std::set<std::string> names;
  int bad = 0;
  for (const auto& f : expand_scenario_paths(o.scenarios)) {
    try {
      auto sc = checks::load_validated_scenario(f);
      if (!names.insert(sc.name).second) {
        std::cerr << f << ": scenario name '" << sc.name << "' is used by another file\n";
        ++bad;
      }
      if (o.protocol.empty() || sc.protocol == o.protocol) scenarios.emplace_back(sc.name, f);
    } catch (const scenario::ScenarioError& e) {
      ++bad;
      for (const auto& p : e.problems()) std::cerr << p << "\n";
    }
  }
  if (bad) {
    std::cerr << "wireproof: " << bad << " scenario file(s) invalid; nothing was run\n";
    return 2;
  }
  if (scenarios.empty() && !o.protocol.empty()) {
    std::cerr << "wireproof: no scenario of protocol " << o.protocol << " in the files given; nothing was run\n";
    return 2;
  }
  PeerLookup lookup = default_peer_lookup();
  if (!o.registry.empty()) lookup.registry_path = o.registry;
  // One absolute path for this process and every run: entries are matched
  // across them by "file:line:col" (expected_failure_entry, XPASS).
  const std::string expect_path = o.expect.empty() ? "" : fs::absolute(o.expect).string();
  runner::Expectations expectations;  // loaded here first: a bad file is bad input before anything runs
  if (!o.expect.empty())
    expectations = runner::load_expectations(expect_path, runner::expectation_names(lookup.names()));
  nlohmann::json peers_info = nlohmann::json::object();
  std::set<std::string> all(o.clients.begin(), o.clients.end());
  all.insert(o.servers.begin(), o.servers.end());
  for (const auto& name : all) {
    auto p = lookup.resolve(name);
    lookup.query_version(p);
    peers_info[name] = {{"implementation", p.implementation}, {"version", p.version}};
  }

  runner::MatrixConfig cfg;
  cfg.cells = runner::plan_matrix(scenarios, o.clients, o.servers, shard);
  cfg.clients = o.clients;
  cfg.servers = o.servers;
  cfg.peers_info = peers_info;
  cfg.self_exe = self_exe();
  cfg.seed = o.seed;
  cfg.jobs = o.jobs;
  cfg.retries = o.retries;
  cfg.out_dir = o.out;
  cfg.shard_text = o.shard;
  cfg.run_extra_args = {"--seed", std::to_string(o.seed), "--registry", lookup.registry_path};
  if (!o.expect.empty()) {
    cfg.run_extra_args.push_back("--expect");
    cfg.run_extra_args.push_back(expect_path);
  }
  std::cerr << fmt::format("wireproof matrix: {} runs ({} scenarios x {} clients x {} servers, shard {}), {} jobs, seed {}\n",
                           cfg.cells.size(), scenarios.size(), o.clients.size(), o.servers.size(), o.shard, o.jobs,
                           o.seed);
  auto summary = runner::run_matrix(cfg);
  if (!o.expect.empty()) add_xpass(summary, expectations, o.out);
  std::cout << runner::summary_table(summary);
  std::cout << runner::xpass_lines(summary.value("xpass", nlohmann::json::array()));
  std::cout << "results: " << fs::path(o.out) / "summary.json" << "\n"
            << "junit:   " << fs::path(o.out) / "junit.xml" << "\n";
  if (summary.contains("interrupted")) return runner::matrix_exit_code(summary);  // no report: the user asked to stop
  if (!o.no_report) {
    int rc = cmd_report({"html", o.out, "--out", (fs::path(o.out) / "report").string()});
    if (rc == 0) std::cout << "report:  " << fs::path(o.out) / "report" / "index.html" << "\n";
    else std::cerr << "wireproof: the HTML report could not be written (exit " << rc << "); results are intact\n";
  }
  return runner::exit_code_with_xpass(runner::matrix_exit_code(summary), summary.value("xpass", nlohmann::json::array()));
}

}  // namespace wireproof::cli
