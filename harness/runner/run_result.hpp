// Judging a finished run and assembling its result.json (docs/RESULT.md):
// checks, expectations (xfail), the run verdict, handshake/app-data summary,
// wire totals. It depends only on what any run produces (event log, each
// peer's events and how it ended), not on how the peers ran: the real-clock
// runner (run.cpp) and virtual-time runs (harness/virtual) both use it.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/events/event_log.hpp"
#include "harness/runner/host_pressure.hpp"
#include "harness/runner/run.hpp"
#include "harness/runner/verdict.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::runner {

struct PeerRecord {
  const PeerCommand* command = nullptr;
  std::vector<std::string> argv;
  std::vector<nlohmann::json> events;  // in order
  PeerEnd end;
};

struct RunRecord {
  const RunConfig* config = nullptr;
  const events::EventLog* log = nullptr;
  wire::Totals totals;
  PeerRecord client, server;
  std::string harness_error;  // non-empty: checks are skipped, verdict error
  std::string clock = "real";
  std::string started_at;     // ISO 8601 UTC
  double duration_s = 0;      // wall time
  nlohmann::json artifacts;   // name -> file in the run directory
  std::optional<HostSample> host_at_start;  // real-clock runs: result.json's `host` (host_pressure.hpp)
  nlohmann::json topology = nullptr;         // L3 wire: result.json's `topology` (checks::Inputs::topology)
};

// Runs the enabled checks and returns result.json's content.
nlohmann::json assemble_result(const RunRecord& run);

// The last step of every run, real or virtual: capture.pcapng from
// `write_capture` (absent: no capture, e.g. the wire was never set up; a
// failure is recorded as result["capture_error"] and does not change the
// verdict), then result.json, both in `out_dir`. Throws std::runtime_error
// naming result.json when it cannot be written.
void write_run_files(const std::filesystem::path& out_dir, nlohmann::json& result,
                     const std::function<void(std::ostream&)>& write_capture);

// "2026-11-21T22:40:00Z" for now.
std::string iso_now_utc();

}  // namespace wireproof::runner
