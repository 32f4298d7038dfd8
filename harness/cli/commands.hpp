// One function per `wireproof` subcommand; each returns the process exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wireproof::cli {

struct RunOptions {
  std::string scenario, client, server, out, expect, registry;
  std::string clock = "real";  // real | virtual (docs/VIRTUAL.md)
  std::uint64_t seed = 1;
  bool quiet = false;
};

struct MatrixOptions {
  std::vector<std::string> scenarios, clients, servers;
  std::string expect, out, registry, shard = "1/1";
  std::string protocol;  // non-empty: only the scenarios of this protocol (one table per TLS version)
  std::uint64_t seed = 1;
  unsigned jobs = 2;
  unsigned retries = 2;  // re-runs of an inconclusive or timing-failed cell
  bool no_report = false;
};

int cmd_run(const RunOptions& o);
int cmd_matrix(const MatrixOptions& o);
int cmd_validate(const std::vector<std::string>& paths);
int cmd_peers(const std::string& registry);
int cmd_report(const std::vector<std::string>& args);

// Expands directories to their *.yaml files (sorted); keeps files as given.
// Throws std::runtime_error for a path that does not exist.
std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& paths);

}  // namespace wireproof::cli
