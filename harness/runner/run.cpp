#include "harness/runner/run.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/pki/pki.hpp"
#include "harness/runner/capabilities.hpp"
#include "harness/runner/peer_argv.hpp"
#include "harness/runner/peer_process.hpp"
#include "harness/runner/peer_timeouts.hpp"
#include "harness/runner/run_end.hpp"
#include "harness/runner/run_result.hpp"
#include "harness/runner/stop_signals.hpp"
#include "harness/runner/verdict.hpp"
#include "harness/events/event_writer.hpp"
#include "harness/wire/link.hpp"
#include "harness/runner/wire_setup.hpp"

namespace wireproof::runner {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool needs_lines(const RunConfig& cfg) { return needs_lines(cfg.client, cfg.server); }

// One peer's side of the run: process, parsed events, contract state.
struct PeerSlot {
  explicit PeerSlot(std::string r) : role(std::move(r)) {}
  std::string role;
  std::unique_ptr<PeerProcess> proc;
  std::vector<json> events;
  std::string violation;
  bool killed_at_deadline = false;
  std::string stopped_by_harness;
  std::string start_error;
  std::string declared_gap;  // the registry rules the scenario out for this peer: not started

  // Parses complete stdout lines; hands each contract event to `on_event`.
  template <typename F>
  void drain(F&& on_event) {
    if (!proc) return;
    for (auto& line : proc->read_lines()) handle_line(line, on_event);
    if (proc->stdout_fd() < 0)
      if (auto rest = proc->take_partial_line()) handle_line(*rest, on_event);
  }
  template <typename F>
  void handle_line(const std::string& line, F&& on_event) {
    if (line.empty()) return;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("event") || !j["event"].is_string()) {
      if (violation.empty())
        violation = "stdout line is not a JSON event object: '" + line.substr(0, 120) + "'";
      return;
    }
    events.push_back(j);
    on_event(j);
  }
  bool running() const { return proc && proc->running(); }
  PeerEnd end() const {
    PeerEnd e;
    e.role = role;
    if (proc) {
      e.exit_code = proc->exit_code();
      e.exit_reason = proc->exit_reason();
    } else {
      e.exit_reason = start_error;
    }
    e.killed_at_deadline = killed_at_deadline;
    e.stopped_by_harness = stopped_by_harness;
    e.contract_violation = violation;
    e.refused = declared_gap.empty() ? refused_option(events) : declared_gap;
    e.not_started_unsupported = !declared_gap.empty();
    return e;
  }
};

}  // namespace

int longest_timer_ms(const scenario::Scenario& sc, const PeerCommand& client, const PeerCommand& server) {
  int scenario_timer = sc.peers.timer_initial_ms.value_or(1000);
  // A timer that fires on whole multiples of its granularity (registry
  // capabilities.timer_granularity_ms, e.g. 1000 for a stock tool) runs at
  // least that long, whatever it was asked for.
  return std::max({client.fixed_timer_ms_as_client.value_or(scenario_timer),
                   server.fixed_timer_ms_as_server.value_or(scenario_timer),
                   client.capabilities.timer_granularity_ms, server.capabilities.timer_granularity_ms});
}

namespace {

// One run, in the order it happens: start the server, the wire, the client;
// drive them until the outcome is decided; judge. Each step is a method so
// run_scenario reads as that list.
class ScenarioRun {
 public:
  explicit ScenarioRun(const RunConfig& cfg)
      : cfg_(cfg),
        sc_(cfg.scenario),
        started_at_(iso_now_utc()),
        wall0_(std::chrono::steady_clock::now()),
        host0_(sample_host()),
        events_out_(open_events(cfg.out_dir)),
        // The writer keeps each event after writing it: log_ gets them in run().
        link_(sc_, cfg.seed, [this](events::Event&& e) { events_writer_.add(std::move(e)); }, wire::PayloadCut::by_writer),
        deadline_(wall0_ + std::chrono::milliseconds(static_cast<int64_t>(sc_.run_timeout_s * 1000))),
        longest_ms_(longest_timer_ms(sc_, cfg.client, cfg.server)),
        idle_ms_(idle_timeout_ms(sc_, longest_ms_)),
        client_idle_ms_(client_idle_timeout_ms(sc_, longest_ms_)),
        handshake_ms_(handshake_timeout_ms(sc_, longest_ms_)) {}

  json run() {
    try {
      refuse_declared_gaps();
      wire_ = make_wire_setup(sc_, cfg_.client, cfg_.server);
      auto pki = pki::generate_pki(cfg_.out_dir / "pki", "localhost", pki_host_names(sc_),
                                   pki_ip_address(sc_, wire_->server_listen()));
      const int server_port = start_server(pki);
      edge_ = &wire_->start(link_, static_cast<std::uint16_t>(server_port));
      for (const auto& ev : early_server_events_) link_.on_peer_event("server", ev, edge_->now_us());
      if (server_port != 0) start_client(pki, server_port);
      if (!interrupted()) drive();
    } catch (const DeclaredUnsupported& u) {
      (u.role == "server" ? server_ : client_).declared_gap = u.reason;
    } catch (const std::exception& e) {
      harness_error_ = e.what();
      for (auto* s : {&client_, &server_})
        if (s->proc && s->running()) s->proc->terminate("run aborted: " + harness_error_);
    }
    if (edge_) link_.finish(edge_->now_us());  // copies still held or queued are logged as never sent
    // Closes the writer (every line written before anything reads events.jsonl)
    // and takes the events it wrote: the checks judge the very same ones.
    log_.events = events_writer_.take_written();
    return judge();
  }

 private:
  static std::ofstream open_events(const fs::path& dir) {
    fs::create_directories(dir);
    std::ofstream out(dir / "events.jsonl");
    if (!out) throw std::runtime_error((dir / "events.jsonl").string() + ": cannot write");
    return out;
  }

  auto on_peer(const std::string& role) {
    return [this, role](const json& ev) { link_.on_peer_event(role, ev, edge_ ? edge_->now_us() : 0); };
  }

  void refuse_declared_gaps() const {
    for (auto [role, peer] : {std::pair{"server", &cfg_.server}, std::pair{"client", &cfg_.client}})
      if (auto gap = capability_gap(sc_, *peer, needs_lines(cfg_))) throw DeclaredUnsupported{role, *gap};
  }

  void start_peer(PeerSlot& slot, const std::vector<std::string>& argv) {
    try {
      slot.proc = std::make_unique<PeerProcess>(argv, (cfg_.out_dir / (slot.role + ".stdout")).string(),
                                                (cfg_.out_dir / (slot.role + ".stderr")).string(),
                                                wire_->placement(slot.role));
    } catch (const std::exception& e) {
      slot.start_error = e.what();
      throw;
    }
  }

  // The key log `peer` writes as `role` (empty: none). The peer appends, so a
  // file left by an earlier run in this directory is removed first.
  std::string fresh_key_log(const std::string& role, const PeerCommand& peer) {
    auto path = key_log_file(sc_, peer, role, cfg_.out_dir);
    if (!path) return "";
    fs::remove(*path);
    key_log_artifacts_[role + "_key_log"] = path->filename().string();
    return fs::absolute(*path).string();
  }

  // Starts the server and waits until it says where it listens; 0 when it
  // exited 127 (unsupported: judged from its events).
  int start_server(const pki::PkiFiles& pki) {
    server_argv_ = peer_argv(sc_, cfg_.server,
                             {"server", wire_->server_listen(), pki, idle_ms_, handshake_ms_, needs_lines(cfg_),
                              wire_->placement("server").local_address, fresh_key_log("server", cfg_.server)});
    start_peer(server_, server_argv_);
    int port = 0;
    while (port == 0) {
      if (interrupted()) return 0;
      if (std::chrono::steady_clock::now() > deadline_)
        throw std::runtime_error("server did not report ready before the run deadline");
      pollfd p{server_.proc->stdout_fd(), POLLIN, 0};
      if (p.fd >= 0) ::poll(&p, 1, 50);
      server_.drain([&](const json& ev) {
        early_server_events_.push_back(ev);
        if (ev["event"] == "ready" && ev.contains("port") && ev["port"].is_number_integer())
          port = ev["port"].get<int>();
      });
      if (!server_.violation.empty()) throw std::runtime_error("server broke the peer contract: " + server_.violation);
      if (port == 0 && !server_.running()) {
        server_.drain([&](const json& ev) { early_server_events_.push_back(ev); });
        if (server_.proc->exit_code() == 127) return 0;
        throw std::runtime_error("server exited before reporting ready (" + server_.proc->exit_reason() +
                                 "); see server.stderr");
      }
    }
    return port;
  }

  void start_client(const pki::PkiFiles& pki, int server_port) {
    client_argv_ = peer_argv(sc_, cfg_.client,
                             {"client", wire_->client_connect(static_cast<std::uint16_t>(server_port)), pki,
                              client_idle_ms_, handshake_ms_, needs_lines(cfg_),
                              wire_->placement("client").local_address, fresh_key_log("client", cfg_.client)});
    start_peer(client_, client_argv_);
  }

  // Whether the run is over before the next wait: the deadline, an
  // unsupported client, or a survivor the run-end rule stops.
  bool should_end() {
    if (interrupted()) return true;
    if (std::chrono::steady_clock::now() >= deadline_) {
      for (auto* s : {&client_, &server_})
        if (s->running()) {
          s->killed_at_deadline = true;
          s->proc->terminate(fmt::format("still running at the {} s run deadline", sc_.run_timeout_s));
        }
      return true;
    }
    if (!client_.running() && client_.proc && client_.proc->exit_code() == 127 && server_.running()) {
      server_.proc->terminate("client does not support this scenario");
      return true;
    }
    if (survivor_.should_stop(edge_->now_us(), client_.running() != server_.running(), edge_->next_due_us())) {
      PeerSlot& s = client_.running() ? client_ : server_;
      s.stopped_by_harness = survivor_stop_note(&s == &client_ ? "server" : "client");
      s.proc->terminate(s.stopped_by_harness);
      return true;
    }
    return false;
  }

  // One loop: the wire's fds, the peers' stdout, link deadlines, the run deadline.
  void drive() {
    while ((client_.running() || server_.running()) && !should_end()) {
      std::vector<pollfd> fds;
      for (int fd : edge_->fds()) fds.push_back({fd, POLLIN, 0});
      for (auto* s : {&client_, &server_})
        if (s->proc && s->proc->stdout_fd() >= 0) fds.push_back({s->proc->stdout_fd(), POLLIN, 0});
      ::poll(fds.data(), fds.size(), edge_->poll_timeout_ms(20));
      for (auto& p : fds)
        if ((p.revents & (POLLIN | POLLERR | POLLHUP)) && !is_peer_fd(p.fd)) edge_->on_readable(p.fd);
      client_.drain(on_peer("client"));
      server_.drain(on_peer("server"));
      edge_->flush_due();
      for (auto* s : {&client_, &server_})
        if (!s->violation.empty() && s->running()) s->proc->terminate("broke the peer contract");
    }
    client_.drain(on_peer("client"));
    server_.drain(on_peer("server"));
    linger();
  }

  // Both peers are gone: carry what their stacks still send (WireSetup::linger_quiet_ms).
  void linger() {
    const int quiet_ms = wire_->linger_quiet_ms();
    if (quiet_ms <= 0 || stop_.received()) return;
    const auto cap = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWireLingerCapMs);
    auto last_traffic = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < cap && !stop_.received()) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_traffic >= std::chrono::milliseconds(quiet_ms) && !edge_->next_due_us()) break;
      std::vector<pollfd> fds;
      for (int fd : edge_->fds()) fds.push_back({fd, POLLIN, 0});
      ::poll(fds.data(), fds.size(), edge_->poll_timeout_ms(20));
      for (auto& p : fds)
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
          edge_->on_readable(p.fd);
          last_traffic = std::chrono::steady_clock::now();
        }
      edge_->flush_due();
    }
  }

  // SIGINT / SIGTERM: stop the peers and end the run; the destructors then
  // remove the namespaces and devices, and result.json says so.
  bool interrupted() {
    if (!stop_.received()) return false;
    if (harness_error_.empty()) {
      harness_error_ = "interrupted by " + StopSignals::name(stop_.received());
      for (auto* s : {&client_, &server_})
        if (s->running()) s->proc->terminate(harness_error_);
    }
    return true;
  }

  bool is_peer_fd(int fd) const {
    for (const auto* s : {&client_, &server_})
      if (s->proc && fd == s->proc->stdout_fd()) return true;
    return false;
  }

  // Judges what the wire and the peers showed, writes the capture and result.json.
  json judge() {
    RunRecord record;
    record.config = &cfg_;
    record.log = &log_;
    record.totals = link_.totals();
    record.client = {&cfg_.client, client_argv_, client_.events, client_.end()};
    record.server = {&cfg_.server, server_argv_, server_.events, server_.end()};
    record.harness_error = harness_error_;
    record.started_at = started_at_;
    record.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
    record.host_at_start = host0_;
    if (wire_) record.topology = wire_->describe();  // read while the namespaces exist
    record.artifacts = {{"events", "events.jsonl"},         {"capture", "capture.pcapng"},
                        {"client_stdout", "client.stdout"}, {"client_stderr", "client.stderr"},
                        {"server_stdout", "server.stdout"}, {"server_stderr", "server.stderr"}};
    record.artifacts.update(key_log_artifacts_);  // TLS: client_key_log / server_key_log
    json result = assemble_result(record);
    if (stop_.received()) result["interrupted"] = StopSignals::name(stop_.received());
    if (!wire_) {  // it could not be set up (the reason is the harness error); the capture is empty
      write_run_files(cfg_.out_dir, result, nullptr);
      return result;
    }
    if (!record.topology.is_null()) result["topology"] = record.topology;
    // The capture is written from the event log, like everything else.
    write_run_files(cfg_.out_dir, result, [&](std::ostream& cap) { wire_->write_capture(log_, cap); });
    return result;
  }

  const RunConfig& cfg_;
  const scenario::Scenario& sc_;
  const std::string started_at_;
  const std::chrono::steady_clock::time_point wall0_;
  const HostSample host0_;
  std::ofstream events_out_;
  events::EventWriter events_writer_{events_out_, events::EventWriter::kDefaultMaxQueuedBytes,
                                     events::EventWriter::Keep::written};
  events::EventLog log_;
  wire::Link link_;
  std::unique_ptr<WireSetup> wire_;
  wire::WireEdge* edge_ = nullptr;
  const std::chrono::steady_clock::time_point deadline_;
  const int longest_ms_, idle_ms_, client_idle_ms_, handshake_ms_;
  PeerSlot server_{"server"}, client_{"client"};
  std::vector<std::string> server_argv_, client_argv_;
  std::vector<json> early_server_events_;
  json key_log_artifacts_ = json::object();
  std::string harness_error_;
  SurvivorRule survivor_;
  StopSignals stop_;
};

}  // namespace

json run_scenario(const RunConfig& cfg) { return ScenarioRun(cfg).run(); }

}  // namespace wireproof::runner
