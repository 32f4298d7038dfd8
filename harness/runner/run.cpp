#include "harness/runner/run.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/pki/pki.hpp"
#include "harness/runner/capabilities.hpp"
#include "harness/runner/peer_process.hpp"
#include "harness/runner/peer_timeouts.hpp"
#include "harness/runner/run_end.hpp"
#include "harness/runner/run_result.hpp"
#include "harness/runner/verdict.hpp"
#include "harness/wire/link.hpp"
#include "harness/wire/udp_relay.hpp"

namespace wireproof::runner {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool needs_lines(const RunConfig& cfg) { return cfg.client.kind == "stock" || cfg.server.kind == "stock"; }

std::vector<std::string> peer_argv(const RunConfig& cfg, const PeerCommand& peer, const std::string& role,
                                   const pki::PkiFiles& pki, int connect_port, int idle_ms, int handshake_ms) {
  const auto& sc = cfg.scenario;
  std::vector<std::string> a = peer.argv_prefix;
  auto add = [&](std::string k, std::string v) {
    a.push_back(std::move(k));
    a.push_back(std::move(v));
  };
  // Optional options go only to a peer that declares them (registry
  // "capabilities"; capability_gap has already refused a scenario that needs
  // one a peer lacks), so a library that cannot set an MTU is not asked to.
  auto add_optional = [&](const std::string& option, std::string v) {
    if (peer.capabilities.accepts(option)) add("--" + option, std::move(v));
  };
  add("--role", role);
  add("--protocol", sc.protocol);
  if (role == "server") {
    add("--listen", "127.0.0.1:0");
    add("--cert", pki.server_cert.string());
    add("--key", pki.server_key.string());
  } else {
    add("--connect", fmt::format("127.0.0.1:{}", connect_port));
    add_optional("server-name", "localhost");
  }
  add("--ca", pki.ca_cert.string());
  add_optional("mtu", std::to_string(sc.peers.mtu.value_or(sc.link.mtu)));
  if (sc.peers.timer_initial_ms) add_optional("timer-initial-ms", std::to_string(*sc.peers.timer_initial_ms));
  add_optional("handshake-timeout-ms", std::to_string(handshake_ms));
  add_optional("echo-bytes", std::to_string(sc.workload.echo_bytes));
  add_optional("chunk", std::to_string(sc.workload.chunk));
  add_optional("idle-timeout-ms", std::to_string(idle_ms));
  // Stock tools carry the workload as text lines; both ends must agree.
  if (needs_lines(cfg)) add_optional("framing", "lines");
  return a;
}

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

json run_scenario(const RunConfig& cfg) {
  const auto& sc = cfg.scenario;
  fs::create_directories(cfg.out_dir);
  const auto started_at = iso_now_utc();
  const auto wall0 = std::chrono::steady_clock::now();
  const HostSample host0 = sample_host();
  auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  };

  std::ofstream events_out(cfg.out_dir / "events.jsonl");
  if (!events_out) throw std::runtime_error((cfg.out_dir / "events.jsonl").string() + ": cannot write");
  events::EventLog log;
  wire::Link link(sc, cfg.seed, [&](const events::Event& e) {
    events::write_jsonl_line(events_out, e);
    log.events.push_back(e);
  });

  std::string harness_error;
  PeerSlot server{"server"}, client{"client"};
  std::vector<std::string> server_argv, client_argv;
  std::optional<wire::UdpRelay> relay;
  capture::CaptureEndpoints capture_endpoints;
  const auto deadline = wall0 + std::chrono::milliseconds(static_cast<int64_t>(sc.run_timeout_s * 1000));
  const int longest_ms = longest_timer_ms(sc, cfg.client, cfg.server);
  const int idle_ms = idle_timeout_ms(sc, longest_ms);
  const int client_idle_ms = client_idle_timeout_ms(sc, longest_ms);
  const int handshake_ms = handshake_timeout_ms(sc, longest_ms);

  auto on_peer = [&](const std::string& role) {
    return [&, role](const json& ev) { link.on_peer_event(role, ev, relay ? relay->now_us() : 0); };
  };

  try {
    for (auto [slot, peer] : {std::pair{&server, &cfg.server}, std::pair{&client, &cfg.client}})
      if (auto gap = capability_gap(sc, *peer, needs_lines(cfg))) throw DeclaredUnsupported{slot->role, *gap};
    auto pki = pki::generate_pki(cfg.out_dir / "pki");
    // 1. The server, until it says where it listens.
    server_argv = peer_argv(cfg, cfg.server, "server", pki, 0, idle_ms, handshake_ms);
    try {
      server.proc = std::make_unique<PeerProcess>(server_argv, (cfg.out_dir / "server.stdout").string(),
                                                  (cfg.out_dir / "server.stderr").string());
    } catch (const std::exception& e) {
      server.start_error = e.what();
      throw;
    }
    int server_port = 0;
    std::vector<json> early;
    while (server_port == 0) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("server did not report ready before the run deadline");
      pollfd p{server.proc->stdout_fd(), POLLIN, 0};
      if (p.fd >= 0) ::poll(&p, 1, 50);
      server.drain([&](const json& ev) {
        early.push_back(ev);
        if (ev["event"] == "ready" && ev.contains("port") && ev["port"].is_number_integer())
          server_port = ev["port"].get<int>();
      });
      if (!server.violation.empty()) throw std::runtime_error("server broke the peer contract: " + server.violation);
      if (server_port == 0 && !server.running()) {
        server.drain([&](const json& ev) { early.push_back(ev); });
        if (server.proc->exit_code() == 127) break;  // unsupported: judged below
        throw std::runtime_error("server exited before reporting ready (" + server.proc->exit_reason() +
                                 "); see server.stderr");
      }
    }
    // 2. The wire, then the client pointed at it.
    relay.emplace(link, static_cast<std::uint16_t>(server_port));
    capture_endpoints.server.port = static_cast<std::uint16_t>(server_port);
    capture_endpoints.wire_client_side.port = relay->client_port();
    capture_endpoints.t0_unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch()).count() -
                                   relay->now_us();
    for (const auto& ev : early) link.on_peer_event("server", ev, relay->now_us());
    if (server_port != 0) {
      client_argv = peer_argv(cfg, cfg.client, "client", pki, relay->client_port(), client_idle_ms, handshake_ms);
      try {
        client.proc = std::make_unique<PeerProcess>(client_argv, (cfg.out_dir / "client.stdout").string(),
                                                    (cfg.out_dir / "client.stderr").string());
      } catch (const std::exception& e) {
        client.start_error = e.what();
        throw;
      }
    }
    // 3. One loop: wire sockets, peers' stdout, link deadlines, the run deadline.
    SurvivorRule survivor;
    while (client.running() || server.running()) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        for (auto* s : {&client, &server})
          if (s->running()) {
            s->killed_at_deadline = true;
            s->proc->terminate(fmt::format("still running at the {} s run deadline", sc.run_timeout_s));
          }
        break;
      }
      if (!client.running() && client.proc && client.proc->exit_code() == 127 && server.running()) {
        server.proc->terminate("client does not support this scenario");
        break;
      }
      if (survivor.should_stop(relay->now_us(), client.running() != server.running(), relay->next_due_us())) {
        PeerSlot& s = client.running() ? client : server;
        s.stopped_by_harness = survivor_stop_note(&s == &client ? "server" : "client");
        s.proc->terminate(s.stopped_by_harness);
        break;
      }
      std::vector<pollfd> fds;
      for (int fd : relay->fds()) fds.push_back({fd, POLLIN, 0});
      for (auto* s : {&client, &server})
        if (s->proc && s->proc->stdout_fd() >= 0) fds.push_back({s->proc->stdout_fd(), POLLIN, 0});
      ::poll(fds.data(), fds.size(), relay->poll_timeout_ms(20));
      for (auto& p : fds)
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
          bool is_peer = false;
          for (auto* s : {&client, &server})
            if (s->proc && p.fd == s->proc->stdout_fd()) is_peer = true;
          if (!is_peer) relay->on_readable(p.fd);
        }
      client.drain(on_peer("client"));
      server.drain(on_peer("server"));
      relay->flush_due();
      for (auto* s : {&client, &server})
        if (!s->violation.empty() && s->running()) s->proc->terminate("broke the peer contract");
    }
    client.drain(on_peer("client"));
    server.drain(on_peer("server"));
  } catch (const DeclaredUnsupported& u) {
    (u.role == "server" ? server : client).declared_gap = u.reason;
  } catch (const std::exception& e) {
    harness_error = e.what();
    for (auto* s : {&client, &server})
      if (s->proc && s->running()) s->proc->terminate("run aborted: " + harness_error);
  }
  if (relay) link.finish(relay->now_us());  // copies still held or queued are logged as never sent
  events_out.flush();

  // 4. Judge what the wire and the peers showed.
  RunRecord record;
  record.config = &cfg;
  record.log = &log;
  record.totals = link.totals();
  record.client = {&cfg.client, client_argv, client.events, client.end()};
  record.server = {&cfg.server, server_argv, server.events, server.end()};
  record.harness_error = harness_error;
  record.started_at = started_at;
  record.duration_s = elapsed_s();
  record.host_at_start = host0;
  record.artifacts = {{"events", "events.jsonl"},         {"capture", "capture.pcapng"},
                      {"client_stdout", "client.stdout"}, {"client_stderr", "client.stderr"},
                      {"server_stdout", "server.stdout"}, {"server_stderr", "server.stderr"}};
  json result = assemble_result(record);

  // The capture is written from the event log, like everything else.
  try {
    std::ofstream cap(cfg.out_dir / "capture.pcapng", std::ios::binary);
    capture::write_pcapng(log, capture_endpoints, cap);
  } catch (const std::exception& e) {
    result["capture_error"] = e.what();
  }
  std::ofstream(cfg.out_dir / "result.json") << result.dump(2) << '\n';
  return result;
}

}  // namespace wireproof::runner
