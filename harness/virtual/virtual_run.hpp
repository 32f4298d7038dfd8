// Runs one scenario ref-against-ref in this process on a simulated clock
// (docs/VIRTUAL.md): two dtls::Connections, the scenario's very own
// wire::Link between them, a discrete-event loop that jumps from one due time
// to the next (link deliveries and timeline, each peer's timers) without
// sleeping. Writes the same run directory as a real run: result.json
// ("clock": "virtual"), events.jsonl, capture.pcapng, client.stdout and
// server.stdout (the peers' contract events), pki/.
#pragma once

#include <nlohmann/json.hpp>

#include "harness/runner/run.hpp"

namespace wireproof::sim {

// cfg.client and cfg.server describe the two ref peers (names go into
// result.json). Throws only when the output directory cannot be written.
nlohmann::json run_virtual(const runner::RunConfig& cfg);

}  // namespace wireproof::sim
