#include "harness/virtual/virtual_run.hpp"

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/pki/pki.hpp"
#include "harness/virtual/peer_setup.hpp"
#include "harness/runner/run_end.hpp"
#include "harness/runner/run_result.hpp"
#include "harness/virtual/virtual_peer.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::sim {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Wire to peer over loopback plus the peer reading it: real runs never see a
// reply in the same microsecond as the datagram that caused it, and checks
// judge causality by time, so the simulated hop is not zero either.
constexpr std::int64_t kHopUs = 50;

// One side as the run sees it: the peer, its stdout file, its events.
struct Side {
  std::unique_ptr<VirtualPeer> peer;
  std::ofstream stdout_file;
  std::vector<json> events;
  std::vector<std::string> argv;
  bool killed_at_deadline = false;
  std::string stopped_by_harness;

  runner::PeerEnd end(const std::string& role) const {
    runner::PeerEnd e;
    e.role = role;
    e.killed_at_deadline = killed_at_deadline;
    e.stopped_by_harness = stopped_by_harness;
    if (peer && peer->exited()) {
      e.exit_code = peer->exit_code();
      e.exit_reason = "exited " + std::to_string(peer->exit_code());
    } else if (peer) {
      e.exit_reason = "still running at the run deadline (virtual time)";
    }
    return e;
  }
};

std::ofstream open_out(const fs::path& p, std::ios::openmode mode = std::ios::out) {
  std::ofstream f(p, mode);
  if (!f) throw std::runtime_error(p.string() + ": cannot write");
  return f;
}

// The discrete-event loop. Returns a harness error, empty when the run ended normally.
std::string simulate(const scenario::Scenario& sc, wire::Link& link, Side& client, Side& server,
                     std::int64_t& now) {
  // Hands what a peer produced, in its order, to the wire and the log.
  auto collect = [&](Side& s, wire::Dir dir) {
    for (auto& o : s.peer->take_outputs()) {
      if (o.datagram) {
        link.on_datagram(dir, std::move(*o.datagram), now);
      } else {
        s.stdout_file << o.event->dump() << '\n';
        link.on_peer_event(s.peer->role_name(), *o.event, now);
        s.events.push_back(std::move(*o.event));
      }
    }
  };
  auto collect_both = [&] {
    collect(client, wire::Dir::c2s);
    collect(server, wire::Dir::s2c);
  };
  const std::int64_t deadline = static_cast<std::int64_t>(sc.run_timeout_s * 1e6);
  std::multimap<std::int64_t, wire::Delivery> hop;  // left the wire, not yet read by the peer (FIFO on ties)

  now = 0;
  link.on_time(now);
  server.peer->start(now);  // the server is up before the client, as in a real run
  collect_both();
  client.peer->start(now);
  collect_both();
  runner::SurvivorRule survivor;  // the same end rule as a real run (run_end.hpp)
  auto earliest = [](std::initializer_list<std::optional<std::int64_t>> ts) {
    std::optional<std::int64_t> e;
    for (auto t : ts)
      if (t && (!e || *t < *e)) e = t;
    return e;
  };
  while (!client.peer->exited() || !server.peer->exited()) {
    std::optional<std::int64_t> hop_due;
    if (!hop.empty()) hop_due = hop.begin()->first;
    const auto wire_due = earliest({link.next_due_us(), hop_due});
    if (survivor.should_stop(now, client.peer->exited() != server.peer->exited(), wire_due)) {
      Side& s = client.peer->exited() ? server : client;
      s.stopped_by_harness = runner::survivor_stop_note(&s == &client ? "server" : "client");
      s.peer->stop(now);
      collect_both();
      break;
    }
    auto next = earliest({wire_due, client.peer->next_due_us(), server.peer->next_due_us(), survivor.stop_due_us()});
    if (!next) return "virtual run stalled: no peer timer and nothing on the wire, yet a peer has not exited";
    now = std::max(now, *next);
    if (now > deadline) {
      now = deadline;
      for (Side* s : {&client, &server}) {
        s->killed_at_deadline = !s->peer->exited();
        s->peer->stop(now);  // a real peer gets SIGTERM at the deadline and reports
      }
      collect_both();
      break;
    }
    link.on_time(now);
    while (auto d = link.pop_due(now)) {
      link.sent(*d, now);  // on the virtual clock a delivery leaves exactly when due
      hop.emplace(now + kHopUs, std::move(*d));
    }
    while (!hop.empty() && hop.begin()->first <= now) {
      auto d = std::move(hop.begin()->second);
      hop.erase(hop.begin());
      Side& to = d.dir == wire::Dir::c2s ? server : client;
      to.peer->on_datagram(d.bytes, now);
      collect_both();
    }
    client.peer->on_time(now);
    server.peer->on_time(now);
    collect_both();
  }
  return "";
}

}  // namespace

json run_virtual(const runner::RunConfig& cfg) {
  const auto& sc = cfg.scenario;
  fs::create_directories(cfg.out_dir);
  const auto started_at = runner::iso_now_utc();
  const auto wall0 = std::chrono::steady_clock::now();

  auto events_out = open_out(cfg.out_dir / "events.jsonl");
  events::EventLog log;
  wire::Link link(sc, cfg.seed, [&](const events::Event& e) {
    events::write_jsonl_line(events_out, e);
    log.events.push_back(e);
  });

  // Fixed addresses: nothing binds them, and the capture stays the same run to run.
  const capture::CaptureEndpoints endpoints;
  const auto& ca = endpoints.client;
  std::vector<std::uint8_t> client_address(ca.ip.begin(), ca.ip.end());
  client_address.push_back(static_cast<std::uint8_t>(ca.port >> 8));
  client_address.push_back(static_cast<std::uint8_t>(ca.port & 0xff));

  Side client, server;
  client.stdout_file = open_out(cfg.out_dir / "client.stdout");
  server.stdout_file = open_out(cfg.out_dir / "server.stdout");
  std::string harness_error;
  std::int64_t now = 0;
  try {
    // Seeded: the same keys and certificates, hence the same Certificate messages, run to run.
    auto pki = pki::generate_seeded_pki(cfg.out_dir / "pki", cfg.seed);
    auto cs = client_setup(sc, pki, ca.port, cfg.seed);
    auto ss = server_setup(sc, pki, endpoints.server.port, client_address, cfg.seed);
    client.argv = cs.argv;
    server.argv = ss.argv;
    client.peer = std::make_unique<VirtualPeer>(cs.params, cs.config);
    server.peer = std::make_unique<VirtualPeer>(ss.params, ss.config);
    harness_error = simulate(sc, link, client, server, now);
  } catch (const std::exception& e) {
    harness_error = std::string("virtual run aborted: ") + e.what();
  }
  link.finish(now);  // copies still held or queued are logged as never sent
  events_out.flush();

  runner::RunRecord rec;
  rec.config = &cfg;
  rec.log = &log;
  rec.totals = link.totals();
  rec.client = {&cfg.client, client.argv, client.events, client.end("client")};
  rec.server = {&cfg.server, server.argv, server.events, server.end("server")};
  rec.harness_error = harness_error;
  rec.clock = "virtual";
  rec.started_at = started_at;
  rec.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  rec.artifacts = {{"events", "events.jsonl"}, {"capture", "capture.pcapng"},
                   {"client_stdout", "client.stdout"}, {"server_stdout", "server.stdout"}};
  json result = runner::assemble_result(rec);
  result["virtual_duration_s"] = static_cast<double>(now) / 1e6;

  runner::write_run_files(cfg.out_dir, result, [&](std::ostream& cap) { capture::write_pcapng(log, endpoints, cap); });
  return result;
}

}  // namespace wireproof::sim
