#include <iostream>

#include <fmt/format.h>

#include "harness/cli/commands.hpp"
#include "harness/cli/peer_lookup.hpp"
#include "harness/checks/scenario_validation.hpp"
#include "harness/runner/verdict.hpp"
#include "harness/scenario/loader.hpp"
#include "harness/runner/xpass.hpp"
#include "harness/virtual/virtual_run.hpp"
#include "harness/wire/l3/user_namespace.hpp"

namespace wireproof::cli {

int cmd_run(const RunOptions& o) {
  if (o.clock != "real" && o.clock != "virtual") {
    std::cerr << "--clock: '" << o.clock << "' is not one of real, virtual\n";
    return 2;
  }
  if (o.clock == "virtual" && (o.client != "ref" || o.server != "ref")) {
    std::cerr << "--clock virtual runs the reference stack in process: it needs --client ref --server ref (got "
              << o.client << " x " << o.server << "); use --clock real for other peers\n";
    return 2;
  }
  scenario::Scenario sc;
  try {
    sc = checks::load_validated_scenario(o.scenario);
  } catch (const scenario::ScenarioError& e) {
    for (const auto& p : e.problems()) std::cerr << p << "\n";
    return 2;
  }
  // Without root the L3 wire runs in a user namespace, entered now, while this
  // process has one thread; a refusal becomes the run's `error` (user_namespace.hpp).
  if (sc.wire == scenario::Wire::l3 && o.clock == "real") wire::l3::enter_user_namespace_unless_root();
  PeerLookup lookup = default_peer_lookup();
  if (!o.registry.empty()) lookup.registry_path = o.registry;

  runner::RunConfig cfg;
  cfg.scenario = sc;
  if (o.clock == "virtual") {
    cfg.client.name = "ref";  // in process: nothing to resolve
    cfg.client.implementation = "wireproof";
    cfg.client.version = "0.1.0";
    cfg.server = cfg.client;
  } else {
    cfg.client = lookup.resolve(o.client);
    cfg.server = lookup.resolve(o.server);
    lookup.query_version(cfg.client);
    lookup.query_version(cfg.server);
  }
  cfg.seed = o.seed;
  cfg.out_dir = o.out.empty() ? fmt::format("out/run/{}/{}__{}", sc.name, o.client, o.server) : o.out;
  if (!o.expect.empty())
    cfg.expectations = runner::load_expectations(o.expect, runner::expectation_names(lookup.names()));

  auto result = o.clock == "virtual" ? sim::run_virtual(cfg) : runner::run_scenario(cfg);
  auto verdict = result["verdict"].get<std::string>();
  if (!o.quiet) {
    std::cout << fmt::format("{} {} -> {}: {}{}  (seed {}, {:.2f} s)\n", sc.name, o.client, o.server, verdict,
                             result["reason"].get<std::string>().empty() ? "" : " (" + result["reason"].get<std::string>() + ")",
                             o.seed, result["duration_s"].get<double>());
    for (const auto& c : result["checks"])
      std::cout << fmt::format("  {:<14} {:<24} {}\n", c["verdict"].get<std::string>(), c["name"].get<std::string>(),
                               c.value("detail", ""));
    std::cout << "results: " << cfg.out_dir.string() << "/result.json\n";
  }
  // Stopped by SIGINT / SIGTERM: the shell's 128 + N, after cleaning up.
  if (result.contains("interrupted")) return result["interrupted"] == "SIGINT" ? 130 : 143;
  // An entry for this cell that matched no failure is stale (XPASS): exit 1.
  const auto xpass = runner::find_xpass(cfg.expectations, {result});
  std::cerr << runner::xpass_lines(xpass);
  return runner::exit_code_with_xpass(runner::run_exit_code(verdict), xpass);  // 2 (bad input) is returned above
}

}  // namespace wireproof::cli
