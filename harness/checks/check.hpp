// A conformance check: one rule, one RFC reference, a verdict with evidence.
// Each check is declared once (name, RFC section, the sentence it enforces);
// reports, JUnit names and docs all come from that declaration.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/dissect/key_log.hpp"
#include "harness/events/event_log.hpp"
#include "harness/scenario/model.hpp"

namespace wireproof::dissect {
struct TcpConnection;
}

namespace wireproof::checks {

namespace support {
struct TlsView;
}

// inconclusive: the check could not tell stack behaviour from host noise
// (e.g. the sending process woke later than the tolerance after its library's
// deadline); the matrix retries such a cell.
enum class Verdict { pass, fail, not_applicable, inconclusive };
std::string to_string(Verdict v);

struct CheckResult {
  std::string name;
  std::string rfc;               // "RFC 6347 4.1.1"
  std::string sentence;          // the RFC sentence enforced, quoted
  Verdict verdict = Verdict::not_applicable;
  nlohmann::json expected;       // what the rule demands (numbers, with tolerance)
  nlohmann::json measured;       // what the wire / peers showed
  std::string detail;            // one line a person reads
  std::vector<std::uint64_t> evidence;  // event indices (events.jsonl "i")
};

// What a peer reported (its JSON-lines events) and how its process ended.
struct PeerOutcome {
  std::string role;              // client | server
  std::vector<nlohmann::json> events;  // in order
  int exit_code = -1;            // -1: killed / did not exit
  std::string exit_reason;       // "exited 0", "killed by signal 9 after deadline", ...
};

struct Inputs {
  const scenario::Scenario& scenario;
  const events::EventLog& log;
  const PeerOutcome& client;
  const PeerOutcome& server;
  // The initial retransmission timer the harness ASKED each side to use
  // (runner::asked_timer_ms: the registry's `fixed` value for a stock tool
  // that cannot take the option, else --timer-initial-ms in its argv, else the
  // library default 1000). Never the peer's own report. Absent (unit tests):
  // scenario.peers.timer_initial_ms, else 1000. Datagrams c2s are judged with
  // the client's, s2c with the server's.
  std::optional<int> client_timer_initial_ms = std::nullopt;
  std::optional<int> server_timer_initial_ms = std::nullopt;
  // What a side reported (`timer_initial_ms_effective` in its ready event)
  // when that differs from what it was asked: a contract violation the checks
  // name, never a baseline.
  std::optional<int> client_timer_reported_ms = std::nullopt;
  std::optional<int> server_timer_reported_ms = std::nullopt;
  // L3 wire only: result.json's `topology` as the harness set it up (per side
  // its device, kernel and the sysctls read back in its namespace), so a
  // check judges a side against the settings really in force. Null in
  // relay and virtual runs and in unit tests that do not set it.
  nlohmann::json topology = nullptr;
  // The log's TCP dissection, made on the first tcp::connections(inputs) and
  // shared by every TCP check of this judging (tcp_support.cpp). A check never
  // sets it. Copies of Inputs share it once it is made; the log must not change
  // after it is.
  mutable std::shared_ptr<const std::vector<dissect::TcpConnection>> tcp_connections_cache = nullptr;
  // The run's NSS key logs (dissect::read_run_key_logs of the run directory:
  // keylog-client.txt, keylog-server.txt). Empty (stock tools, unit tests
  // without one): the TLS view holds only what is in clear, and says so.
  std::vector<dissect::KeyLogFile> key_logs = {};
  // The peers carried the workload as text lines (--framing lines: a stock
  // tool in the pair, peers/common/line_frame.hpp): the application bytes on
  // the wire are lines, while the peers' digests are of the binary chunks.
  bool line_framing = false;
  // The TLS view of every connection (support/tls_view.hpp), made on the first
  // support::tls_view(inputs) from tcp_connections_cache and key_logs; shared
  // like it. A check never sets it.
  mutable std::shared_ptr<const support::TlsView> tls_view_cache = nullptr;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual std::string name() const = 0;
  virtual std::string rfc() const = 0;
  virtual std::string sentence() const = 0;
  // Names of the parameters the check reads from expect.checks.<name>; any
  // other key is an error. Empty when the check takes none.
  virtual std::vector<std::string> parameters() const { return {}; }
  // Whether the check runs when the scenario says nothing about it
  // (expect.checks.<name>: on/off always wins).
  virtual bool on_by_default() const { return true; }
  // Whether the check judges each direction (c2s, s2c) on its own, so that a
  // failure belongs to one side; false for whole-run outcomes (the handshake,
  // the echo). An expected-failure entry for all scenarios must then pin
  // `dir` (harness/runner/expectations.hpp), or it hides the other side too.
  virtual bool judges_per_direction() const { return true; }
  // Whether its verdict rests on timing the host can disturb (a late wake-up),
  // so the matrix retries a cell that failed it (harness/runner/cell_tries.hpp).
  virtual bool judges_timing() const { return false; }
  // The scenario protocols (Scenario::protocol) the check judges; run_checks
  // skips it for any other, whatever expect.checks says.
  virtual std::vector<std::string> protocols() const { return {"dtls1.2"}; }
  virtual CheckResult run(const Inputs& in) const = 0;
};

// Every check, in report order.
std::vector<std::unique_ptr<Check>> all_checks();

// Whether `check` judges scenarios of `protocol`.
bool judges_protocol(const Check& check, const std::string& protocol);

// Runs every check the scenario enables (expect.checks) that judges its
// protocol, in report order.
std::vector<CheckResult> run_checks(const Inputs& in);

nlohmann::json to_json(const CheckResult& r);

}  // namespace wireproof::checks
