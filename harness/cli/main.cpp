// The `wireproof` command: run, matrix, validate, peers, report.
#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/cli/commands.hpp"
#include "harness/scenario/protocol.hpp"

int main(int argc, char** argv) {
  using namespace wireproof::cli;
  CLI::App app{"wireproof: DTLS/TLS conformance and interop test harness"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "wireproof 0.1.0");

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run one scenario once between two peers");
  run_cmd->add_option("scenario", run.scenario, "Scenario YAML file")->required();
  run_cmd->add_option("--client", run.client, "Client peer name (see `wireproof peers`)")->required();
  run_cmd->add_option("--server", run.server, "Server peer name")->required();
  // NonNegativeNumber: CLI11 would read "-1" into a uint64_t as 2^64-1.
  run_cmd->add_option("--seed", run.seed, "Seed for every random choice of the wire")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--out", run.out, "Output directory (default: out/run/<scenario>/<client>__<server>)");
  run_cmd->add_option("--expect", run.expect, "Known-failures file (YAML)")->check(CLI::ExistingFile);
  run_cmd->add_option("--registry", run.registry, "Peer registry (default: peers/registry.json)");
  run_cmd->add_flag("--quiet", run.quiet, "Print nothing but errors");
  run_cmd->add_option("--clock", run.clock, "real (peer processes) or virtual (ref x ref in process, simulated time)")
      ->capture_default_str();

  MatrixOptions mx;
  auto* mx_cmd = app.add_subcommand("matrix", "Run every scenario x client x server");
  mx_cmd->add_option("scenarios", mx.scenarios, "Scenario files or directories")->required();
  mx_cmd->add_option("--clients", mx.clients, "Client peers")->delimiter(',')->required();
  mx_cmd->add_option("--servers", mx.servers, "Server peers")->delimiter(',')->required();
  mx_cmd->add_option("--jobs,-j", mx.jobs, "Runs in parallel")->capture_default_str()->check(CLI::Range(1, 64));
  mx_cmd->add_option("--seed", mx.seed, "Seed for every run")->capture_default_str()->check(CLI::NonNegativeNumber);
  mx_cmd->add_option("--expect", mx.expect, "Known-failures file (YAML)")->check(CLI::ExistingFile);
  mx_cmd->add_option("--out", mx.out, "Output directory")->required();
  mx_cmd->add_option("--shard", mx.shard, "Run only slice I of N (e.g. 2/4)")->capture_default_str();
  mx_cmd->add_option("--registry", mx.registry, "Peer registry (default: peers/registry.json)");
  mx_cmd->add_option("--protocol", mx.protocol,
                     "Run only the scenarios of this protocol (e.g. tls1.2 of scenarios/tls: one table per version)")
      ->check(CLI::IsMember(std::vector<std::string>(wireproof::scenario::kProtocols.begin(), wireproof::scenario::kProtocols.end())));
  mx_cmd->add_option("--retries", mx.retries,
                     "Re-runs (same seed) of a cell that was inconclusive or failed a timing check; differing tries = flaky")
      ->capture_default_str()
      ->check(CLI::Range(0, 10));
  mx_cmd->add_flag("--no-report", mx.no_report, "Do not render the HTML report at the end");

  std::vector<std::string> to_validate;
  auto* val_cmd = app.add_subcommand("validate", "Check scenario files without running them");
  val_cmd->add_option("files", to_validate, "Scenario files or directories")->required();

  std::string peers_registry;
  auto* peers_cmd = app.add_subcommand("peers", "List registered peers and the library versions they use");
  peers_cmd->add_option("--registry", peers_registry, "Peer registry (default: peers/registry.json)");

  auto* rep_cmd = app.add_subcommand("report", "Render results: html, markdown, junit, diff, merge");
  // Everything after `report` goes to the renderer unchanged (`wireproof report --help`).
  rep_cmd->prefix_command();
  rep_cmd->set_help_flag();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0; every real parse
    // error is bad input: exit 2 (README), not CLI11's own 104-106.
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    if (*run_cmd) return cmd_run(run);
    if (*mx_cmd) return cmd_matrix(mx);
    if (*val_cmd) return cmd_validate(to_validate);
    if (*peers_cmd) return cmd_peers(peers_registry);
    if (*rep_cmd) return cmd_report(rep_cmd->remaining());
  } catch (const std::exception& e) {
    std::cerr << "wireproof: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
