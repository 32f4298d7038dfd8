// The interop matrix: every (scenario, client, server), each run as its own
// `wireproof run` process (isolation: a crash or hang stays in its run; ports
// are all ephemeral, so parallel runs cannot clash). Writes summary.json and
// junit.xml, prints progress and a summary table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wireproof::runner {

struct MatrixCell {
  std::string scenario_file, scenario_name, client, server;
  std::string dir;  // relative to the matrix out dir: <scenario>/<client>__<server>
};

struct Shard { unsigned index = 1, count = 1; };  // 1-based "I/N"

// Every combination in a stable order (scenario name, client, server), then the
// shard's slice: cell k belongs to shard (k mod N) + 1.
std::vector<MatrixCell> plan_matrix(const std::vector<std::pair<std::string, std::string>>& scenarios,
                                    const std::vector<std::string>& clients,
                                    const std::vector<std::string>& servers, Shard shard);

// Parses "I/N" with 1 <= I <= N; throws std::invalid_argument with a clear message.
Shard parse_shard(const std::string& text);

struct MatrixConfig {
  std::vector<MatrixCell> cells;
  std::vector<std::string> clients, servers;
  nlohmann::json peers_info;   // name -> {implementation, version}
  std::string self_exe;        // the wireproof binary, re-invoked per run
  std::vector<std::string> run_extra_args;  // --seed, --expect, --registry ...
  std::uint64_t seed = 1;
  unsigned jobs = 1;
  unsigned retries = 2;        // re-runs of a cell host noise may have decided (cell_tries.hpp)
  std::filesystem::path out_dir;
  std::string shard_text = "1/1";
};

// Every verdict a summary counts: a run's, plus `flaky` (tries disagreed) and
// `not_run` (the matrix was interrupted first).
inline constexpr const char* kMatrixVerdicts[] = {"pass", "fail", "xfail", "error", "unsupported",
                                                  "inconclusive", "flaky", "not_run"};

// Runs everything; returns summary.json (also written to out_dir). SIGINT or
// SIGTERM stops every run it started and returns with the finished cells,
// the rest `not_run`, and "interrupted" set.
nlohmann::json run_matrix(const MatrixConfig& cfg);

// True when any run is fail, error or flaky.
bool matrix_failed(const nlohmann::json& summary);

// Exit code of `wireproof matrix` (README "Using it"): 130/143 interrupted by
// SIGINT/SIGTERM, 1 any fail/error/flaky, 4 every run unsupported, 5 some
// cell inconclusive after its retries, else 0.
int matrix_exit_code(const nlohmann::json& summary);

std::string summary_table(const nlohmann::json& summary);
std::string junit_xml(const nlohmann::json& summary, const std::filesystem::path& out_dir);

}  // namespace wireproof::runner
