// l3_bench: what does the L3 wire cost? As root, in one run, between the two
// namespaces of one L3Topology (TUN each side, MTU 1500, IPv4, kernel TCP):
//  (1) one-way TCP bulk goodput through the full wire (Link with an empty
//      impairment list, IP/TCP dissection, events.jsonl written as the runner
//      writes it, L3Relay) against a bare TUN-to-TUN copy loop (PacketPump),
//      interleaved (the order rotating each repetition), medians and per-repetition
//      ratios; a third path, the wire building events but not writing them,
//      says how much of the cost is the log;
//  (2) added latency: small-segment TCP ping-pong round trips through both
//      paths (added = wire - pump), and each packet's time inside the wire
//      (the event's deliveries_us[0] - t_us) under ping-pong and under bulk;
//  (3) the wire's timestamps against an independent capture (dumpcap on each
//      TUN inside its namespace), packet by packet.
// Prints a table; writes a JSON file. Exit 2 when it cannot run (not root, no TUN).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/bench_stats.hpp"
#include "bench/l3/independent_capture.hpp"
#include "bench/l3/logged_wire.hpp"
#include "bench/l3/tcp_load.hpp"
#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/l3_topology.hpp"
#include "harness/wire/l3/tool_command.hpp"

using namespace wireproof;
using namespace wireproof::bench;
using namespace wireproof::bench::l3;
using wire::Dir;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Options {
  std::size_t mib = 64;
  int reps = 5;
  int pings = 2000;
  std::size_t capture_mib = 8;
  fs::path out_dir = "/tmp/wp-l3-bench";
  fs::path json_file;  // default out_dir/l3_bench.json
};

constexpr std::size_t kPingBytes = 64;

json percentiles_json(const Percentiles& p) { return {{"p50", p.p50}, {"p99", p.p99}, {"max", p.max}, {"n", p.n}}; }

// Per packet, the time it spent inside the wire: read() to just before write().
std::vector<double> residence_us(const std::vector<PacketTimes>& packets) {
  std::vector<double> v;
  for (const auto& p : packets)
    if (p.delivered_us >= 0) v.push_back(static_cast<double>(p.delivered_us - p.received_us));
  return v;
}

struct WireProfile {
  double seconds = 0, thread_cpu_s = 0;
  std::uint64_t thread_minor_faults = 0;
  std::size_t lines_written_during = 0;  // events.jsonl lines written while the transfer ran
  std::size_t packets = 0;
  std::uintmax_t events_bytes = 0;
};

struct BulkPhase {
  std::vector<double> pump_mbit, wire_mbit, ratio;
  // The wire with its events built but not written: where the log's cost ends.
  std::vector<double> unlogged_mbit, unlogged_ratio;
  std::vector<double> residence;  // every logged wire packet of every repetition
  WireProfile profile, unlogged_profile;  // summed over repetitions
  double pump_cpu_s = 0;  // the copy loop's thread, summed over repetitions
  std::size_t pump_packets = 0;
};

void add_profile(WireProfile& p, const LoggedWire& w, const BulkResult& r, std::size_t lines_written_during) {
  p.lines_written_during += lines_written_during;
  p.seconds += r.seconds;
  p.thread_cpu_s += w.thread_cpu_s();
  p.thread_minor_faults += w.thread_minor_faults();
  p.packets += w.packets().size();
  p.events_bytes += w.events_file_bytes();
}

BulkPhase bulk_phase(const wire::l3::L3Topology& topo, const Options& o) {
  BulkPhase phase;
  const std::size_t bytes = o.mib << 20;
  const auto& cns = topo.ns(Dir::c2s);
  const auto& sns = topo.ns(Dir::s2c);
  const std::string server = topo.address(Dir::s2c);
  auto pump_run = [&] {
    wire::l3::test::PacketPump pump(topo.wire_fd(Dir::c2s), topo.wire_fd(Dir::s2c));
    const double goodput = one_way_bulk(cns, sns, server, bytes).goodput_mbit_s();
    phase.pump_cpu_s += pump.thread_cpu_s();
    phase.pump_packets += pump.a_to_b + pump.b_to_a;
    return goodput;
  };
  auto wire_run = [&](int rep, bool logged) {
    const fs::path events = logged ? o.out_dir / fmt::format("bulk-{}.events.jsonl", rep) : fs::path();
    LoggedWire w(topo, events);
    const BulkResult r = one_way_bulk(cns, sns, server, bytes);
    const std::size_t written_during = w.lines_written();
    w.stop();
    if (logged) {
      const auto res = residence_us(w.packets());
      phase.residence.insert(phase.residence.end(), res.begin(), res.end());
    }
    add_profile(logged ? phase.profile : phase.unlogged_profile, w, r, written_during);
    if (logged && rep + 1 < o.reps) fs::remove(events);  // hundreds of MB each; the last one stays to look at
    return r.goodput_mbit_s();
  };
  for (int rep = 0; rep < o.reps; ++rep) {
    double goodput[3] = {};  // pump, wire, wire unlogged
    for (int k = 0; k < 3; ++k) {  // the order rotates, so drift in the machine's speed hits all alike
      const int path = (rep + k) % 3;
      goodput[path] = path == 0 ? pump_run() : wire_run(rep, path == 1);
    }
    fmt::print(stderr, "bulk {}: pump {:.0f} Mbit/s, wire {:.0f} ({:.2f}x), wire unlogged {:.0f} ({:.2f}x)\n", rep,
               goodput[0], goodput[1], goodput[1] / goodput[0], goodput[2], goodput[2] / goodput[0]);
    phase.pump_mbit.push_back(goodput[0]);
    phase.wire_mbit.push_back(goodput[1]);
    phase.ratio.push_back(goodput[1] / goodput[0]);
    phase.unlogged_mbit.push_back(goodput[2]);
    phase.unlogged_ratio.push_back(goodput[2] / goodput[0]);
  }
  return phase;
}

struct LatencyPhase {
  Percentiles pump_rtt, wire_rtt, residence;
};

LatencyPhase latency_phase(const wire::l3::L3Topology& topo, const Options& o) {
  LatencyPhase phase;
  const auto& cns = topo.ns(Dir::c2s);
  const auto& sns = topo.ns(Dir::s2c);
  const std::string server = topo.address(Dir::s2c);
  std::vector<double> pump_rtt, wire_rtt, residence;
  for (int round = 0; round < 2; ++round) {  // pump wire wire pump, half the pings each
    auto pump_run = [&] {
      wire::l3::test::PacketPump pump(topo.wire_fd(Dir::c2s), topo.wire_fd(Dir::s2c));
      auto v = ping_pong(cns, sns, server, o.pings / 2, kPingBytes, 3000);
      pump_rtt.insert(pump_rtt.end(), v.begin(), v.end());
    };
    auto wire_run = [&] {
      LoggedWire w(topo, o.out_dir / "ping-pong.events.jsonl");
      auto v = ping_pong(cns, sns, server, o.pings / 2, kPingBytes, 3000);
      w.stop();
      wire_rtt.insert(wire_rtt.end(), v.begin(), v.end());
      const auto res = residence_us(w.packets());
      residence.insert(residence.end(), res.begin(), res.end());
    };
    if (round == 0) {
      pump_run();
      wire_run();
    } else {
      wire_run();
      pump_run();
    }
  }
  phase.pump_rtt = percentiles(pump_rtt);
  phase.wire_rtt = percentiles(wire_rtt);
  phase.residence = percentiles(residence);
  return phase;
}

// The harness's time for a packet against the capture's, |harness - capture| in us.
struct Agreement {
  std::vector<double> abs_us, signed_us;  // signed: the later clock's reading minus the earlier one's
  std::size_t unmatched_capture = 0;
  std::size_t after_wire_stopped = 0;  // captured once the wire no longer read (closing segments' retransmissions)
  // The oldest unmatched packet's capture time before the wire stopped: small
  // (the bulk's queueing delay) when the unmatched ones were still waiting in
  // a TUN's queue as the wire stopped.
  std::int64_t unmatched_oldest_before_stop_us = 0;
  json to_json() const {
    const auto a = percentiles(abs_us);
    return {{"matched", a.n}, {"unmatched_in_capture", unmatched_capture}, {"after_wire_stopped", after_wire_stopped},
            {"unmatched_oldest_before_stop_us", unmatched_oldest_before_stop_us}, {"abs_max_us", a.max},
            {"abs_p99_us", a.p99}, {"abs_p50_us", a.p50}, {"signed_median_us", median(signed_us)},
            // Below 0 by more than a few us would mean the clock mapping is off: a
            // packet cannot be read before it was sent, nor received before written.
            {"signed_min_us", signed_us.empty() ? 0 : *std::min_element(signed_us.begin(), signed_us.end())}};
  }
};

struct CaptureComparison {
  Agreement received;   // t_us (wire read) vs the sending namespace's capture
  Agreement delivered;  // deliveries_us[0] (before write) vs the receiving namespace's capture
  std::size_t wire_packets = 0, captured = 0;
  std::uint64_t tun_tx_dropped = 0;  // packets both TUNs dropped during the phase (queue full: the wire read too late)
};

// A TUN's tx_dropped counter: packets its stack sent that found the device's queue full.
std::uint64_t tx_dropped(const wire::l3::NetNamespace& ns, const std::string& device) {
  return std::stoull(wire::l3::run_tool(
      "ip", {"netns", "exec", ns.name(), "cat", "/sys/class/net/" + device + "/statistics/tx_dropped"}));
}

// Matches each captured packet to the wire's record of it by fingerprint, in order.
// A packet the client side's TUN captured with the client's source address was
// sent by the client's stack (the wire then read it: t_us); any other packet on
// that TUN was written there by the wire (deliveries_us). Likewise for the server.
CaptureComparison compare(const LoggedWire& w, const std::vector<CapturedPacket>& client_cap,
                          const std::vector<CapturedPacket>& server_cap, std::uint32_t client_v4,
                          std::uint32_t server_v4) {
  using Key = std::pair<std::uint64_t, int>;  // fingerprint, dir
  std::map<Key, std::deque<const PacketTimes*>> received, delivered;
  for (const auto& p : w.packets()) {
    received[{p.fingerprint, static_cast<int>(p.dir)}].push_back(&p);
    if (p.delivered_us >= 0) delivered[{p.fingerprint, static_cast<int>(p.dir)}].push_back(&p);
  }
  CaptureComparison c;
  c.wire_packets = w.packets().size();
  auto match = [&](const std::vector<CapturedPacket>& cap, std::uint32_t own_v4, Dir own_dir) {
    c.captured += cap.size();
    for (const auto& k : cap) {
      const bool sent_by_this_side = k.src_v4 == own_v4;
      const Dir dir = sent_by_this_side ? own_dir : (own_dir == Dir::c2s ? Dir::s2c : Dir::c2s);
      auto& table = sent_by_this_side ? received : delivered;
      Agreement& agreement = sent_by_this_side ? c.received : c.delivered;
      if (k.unix_us > w.stopped_unix_us()) {
        ++agreement.after_wire_stopped;
        continue;
      }
      auto it = table.find({k.fingerprint, static_cast<int>(dir)});
      if (it == table.end() || it->second.empty()) {
        ++agreement.unmatched_capture;
        agreement.unmatched_oldest_before_stop_us =
            std::max(agreement.unmatched_oldest_before_stop_us, w.stopped_unix_us() - k.unix_us);
        continue;
      }
      const PacketTimes* p = it->second.front();
      it->second.pop_front();
      const std::int64_t harness = w.t0_unix_us() + (sent_by_this_side ? p->received_us : p->delivered_us);
      // The stack hands a packet to the TUN before the wire reads it; the wire
      // reads its clock before write(), the stack's tap stamps it after.
      const double later_minus_earlier =
          static_cast<double>(sent_by_this_side ? harness - k.unix_us : k.unix_us - harness);
      agreement.signed_us.push_back(later_minus_earlier);
      agreement.abs_us.push_back(std::abs(later_minus_earlier));
    }
  };
  match(client_cap, client_v4, Dir::c2s);
  match(server_cap, server_v4, Dir::s2c);
  return c;
}

std::uint32_t v4(const std::string& text) {
  unsigned a, b, cc, d;
  if (std::sscanf(text.c_str(), "%u.%u.%u.%u", &a, &b, &cc, &d) != 4) throw std::runtime_error("not IPv4: " + text);
  return a << 24 | b << 16 | cc << 8 | d;
}

CaptureComparison capture_phase(const wire::l3::L3Topology& topo, const Options& o, const std::string& name,
                                const std::function<void()>& load) {
  const json desc = topo.describe();
  NamespaceCapture client_cap(topo.ns(Dir::c2s).name(), desc["client"]["device_name"], o.out_dir / (name + "-client.pcap"));
  NamespaceCapture server_cap(topo.ns(Dir::s2c).name(), desc["server"]["device_name"], o.out_dir / (name + "-server.pcap"));
  auto dropped = [&] {
    return tx_dropped(topo.ns(Dir::c2s), desc["client"]["device_name"]) +
           tx_dropped(topo.ns(Dir::s2c), desc["server"]["device_name"]);
  };
  const std::uint64_t dropped_before = dropped();
  LoggedWire w(topo, o.out_dir / (name + ".events.jsonl"));
  load();
  w.stop();
  const auto client = client_cap.stop();
  const auto server = server_cap.stop();
  auto c = compare(w, client, server, v4(topo.address(Dir::c2s)), v4(topo.address(Dir::s2c)));
  c.tun_tx_dropped = dropped() - dropped_before;
  return c;
}

void print_row(const std::string& label, const std::string& a, const std::string& b, const std::string& c,
               const std::string& d = "") {
  fmt::print("{:<44}{:>14}{:>14}{:>12}  {}\n", label, a, b, c, d);
}

std::string f1(double v) { return fmt::format("{:.1f}", v); }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"l3_bench: the L3 wire's goodput, latency and timing against a bare TUN copy loop (root)"};
  app.add_option("--mib", o.mib, "MiB per bulk transfer")->check(CLI::Range(1, 4096));
  app.add_option("--reps", o.reps, "bulk repetitions per path")->check(CLI::Range(1, 50));
  app.add_option("--pings", o.pings, "ping-pong round trips per path")->check(CLI::Range(10, 100000));
  app.add_option("--capture-mib", o.capture_mib, "MiB of the bulk transfer under capture")->check(CLI::Range(1, 1024));
  app.add_option("--out-dir", o.out_dir, "where events, captures and the JSON go");
  app.add_option("--json", o.json_file, "the JSON result (default OUT_DIR/l3_bench.json)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (auto why = wire::l3::test::l3_unavailable(); !why.empty()) {
    fmt::print(stderr, "l3_bench: cannot run: {}\n", why);
    return 2;
  }
  if (o.json_file.empty()) o.json_file = o.out_dir / "l3_bench.json";
  fs::create_directories(o.out_dir);

  try {
    wire::l3::L3Topology topo({});
    const auto bulk = bulk_phase(topo, o);
    const auto lat = latency_phase(topo, o);
    const auto cap_pp = capture_phase(topo, o, "capture-ping-pong", [&] {
      ping_pong(topo.ns(Dir::c2s), topo.ns(Dir::s2c), topo.address(Dir::s2c), 500, kPingBytes, 3000);
    });
    const auto cap_bulk = capture_phase(topo, o, "capture-bulk", [&] {
      one_way_bulk(topo.ns(Dir::c2s), topo.ns(Dir::s2c), topo.address(Dir::s2c), o.capture_mib << 20);
    });

    const double pump = median(bulk.pump_mbit), wire_mbit = median(bulk.wire_mbit), ratio = median(bulk.ratio);
    const auto bulk_res = percentiles(bulk.residence);
    const double added_p50 = lat.wire_rtt.p50 - lat.pump_rtt.p50, added_p99 = lat.wire_rtt.p99 - lat.pump_rtt.p99;
    const auto pp_recv = percentiles(cap_pp.received.abs_us), bulk_recv = percentiles(cap_bulk.received.abs_us);
    const auto pp_deliv = percentiles(cap_pp.delivered.abs_us), bulk_deliv = percentiles(cap_bulk.delivered.abs_us);
    const auto& prof = bulk.profile;

    fmt::print("l3_bench: kernel TCP between two namespaces (TUN, MTU 1500, IPv4), {} x {} MiB one way\n", o.reps,
               o.mib);
    print_row("", "pump", "wire", "wire/pump", "target");
    print_row("bulk goodput, median (Mbit/s)", f1(pump), f1(wire_mbit), fmt::format("{:.2f}", ratio),
              fmt::format(">= 0.80 {}", ratio >= 0.8 ? "met" : "NOT met"));
    const double unlogged = median(bulk.unlogged_mbit), unlogged_ratio = median(bulk.unlogged_ratio);
    print_row("  wire, events built but not written", f1(pump), f1(unlogged), fmt::format("{:.2f}", unlogged_ratio));
    print_row("  per repetition: ratio min..max", "", "",
              fmt::format("{:.2f}..{:.2f}", *std::min_element(bulk.ratio.begin(), bulk.ratio.end()),
                          *std::max_element(bulk.ratio.begin(), bulk.ratio.end())));
    print_row("ping-pong 64 B round trip p50 (us)", f1(lat.pump_rtt.p50), f1(lat.wire_rtt.p50), f1(added_p50),
              "(added)");
    print_row("ping-pong 64 B round trip p99 (us)", f1(lat.pump_rtt.p99), f1(lat.wire_rtt.p99), f1(added_p99),
              "(added)");
    print_row("in the wire per packet, ping-pong p50/p99 (us)", "",
              fmt::format("{}/{}", f1(lat.residence.p50), f1(lat.residence.p99)), "");
    print_row("in the wire per packet, bulk p50/p99 (us)", "", fmt::format("{}/{}", f1(bulk_res.p50), f1(bulk_res.p99)),
              "");
    auto capture_rows = [&](const std::string& load, const Percentiles& recv, const Percentiles& deliv,
                            const CaptureComparison& c) {
      print_row(fmt::format("t_us vs capture, {}: max/p99 (us)", load), "",
                fmt::format("{}/{}", f1(recv.max), f1(recv.p99)), fmt::format("n={}", recv.n),
                fmt::format("<= 100 {}", recv.max <= 100 ? "met" : "NOT met"));
      print_row(fmt::format("deliveries vs capture, {}: max/p99 (us)", load), "",
                fmt::format("{}/{}", f1(deliv.max), f1(deliv.p99)), fmt::format("n={}", deliv.n));
      print_row(fmt::format("  {}: wire packets / captured / unmatched", load), "",
                fmt::format("{}/{}", c.wire_packets, c.captured),
                fmt::format("{}", c.received.unmatched_capture + c.delivered.unmatched_capture),
                fmt::format("+ {} captured after the wire stopped; TUN tx_dropped {}; oldest unmatched {} us before "
                            "the stop",
                            c.received.after_wire_stopped + c.delivered.after_wire_stopped, c.tun_tx_dropped,
                            std::max(c.received.unmatched_oldest_before_stop_us,
                                     c.delivered.unmatched_oldest_before_stop_us)));
    };
    capture_rows("ping-pong", pp_recv, pp_deliv, cap_pp);
    capture_rows(fmt::format("bulk {} MiB", o.capture_mib), bulk_recv, bulk_deliv, cap_bulk);
    const auto& unl = bulk.unlogged_profile;
    auto per_packet = [](double v, std::size_t n) { return n ? v / static_cast<double>(n) : 0; };
    auto per_packet_us = [&](double s, std::size_t n) { return per_packet(s * 1e6, n); };
    fmt::print("where the wire's time goes (bulk, per packet): wire thread CPU {:.1f} us logged, {:.1f} us unlogged, "
               "copy loop's thread {:.1f} us "
               "(events serialised on the writer thread, as in a run); {:.0f} bytes of events.jsonl per "
               "packet; wire thread on CPU {:.0f}% of the transfer time; its minor page faults per packet {:.2f} "
               "logged, {:.2f} unlogged; events written during the transfer {:.0f}%\n",
               per_packet_us(prof.thread_cpu_s, prof.packets), per_packet_us(unl.thread_cpu_s, unl.packets),
               per_packet_us(bulk.pump_cpu_s, bulk.pump_packets),
               static_cast<double>(prof.events_bytes) / static_cast<double>(std::max<std::size_t>(1, prof.packets)),
               100 * prof.thread_cpu_s / prof.seconds, per_packet(prof.thread_minor_faults, prof.packets),
               per_packet(unl.thread_minor_faults, unl.packets),
               100 * per_packet(static_cast<double>(prof.lines_written_during), prof.packets));

    json j{{"bench", "l3"},
           {"setup", {{"mib", o.mib}, {"reps", o.reps}, {"mtu", 1500}, {"ip", 4}, {"topology", topo.describe()}}},
           {"bulk_goodput_mbit_s", {{"pump", bulk.pump_mbit}, {"wire", bulk.wire_mbit}, {"ratio", bulk.ratio},
                                    {"median_pump", pump}, {"median_wire", wire_mbit}, {"median_ratio", ratio},
                                    {"wire_unlogged", bulk.unlogged_mbit}, {"unlogged_ratio", bulk.unlogged_ratio},
                                    {"median_unlogged", unlogged}, {"median_unlogged_ratio", unlogged_ratio}}},
           {"ping_pong_rtt_us", {{"pump", percentiles_json(lat.pump_rtt)}, {"wire", percentiles_json(lat.wire_rtt)},
                                 {"added_p50", added_p50}, {"added_p99", added_p99}, {"message_bytes", kPingBytes}}},
           {"wire_residence_us", {{"ping_pong", percentiles_json(lat.residence)}, {"bulk", percentiles_json(bulk_res)}}},
           {"capture_agreement_us",
            {{"clock", "harness unix us = t0_unix_us + t_us; t0_unix_us = CLOCK_REALTIME - relay clock at the relay's start"},
             {"ping_pong", {{"received", cap_pp.received.to_json()}, {"delivered", cap_pp.delivered.to_json()},
                           {"tun_tx_dropped", cap_pp.tun_tx_dropped}}},
             {"bulk", {{"mib", o.capture_mib}, {"received", cap_bulk.received.to_json()},
                       {"delivered", cap_bulk.delivered.to_json()}, {"tun_tx_dropped", cap_bulk.tun_tx_dropped}}}}},
           {"wire_profile_bulk", {{"transfer_s", prof.seconds}, {"thread_cpu_s", prof.thread_cpu_s},
                                  {"packets", prof.packets}, {"events_bytes", prof.events_bytes},
                                  {"unlogged_transfer_s", unl.seconds}, {"unlogged_thread_cpu_s", unl.thread_cpu_s},
                                  {"unlogged_packets", unl.packets}, {"thread_minor_faults", prof.thread_minor_faults},
                                  {"unlogged_thread_minor_faults", unl.thread_minor_faults},
                                  {"lines_written_during_transfer", prof.lines_written_during},
                                  {"pump_thread_cpu_s", bulk.pump_cpu_s}, {"pump_packets", bulk.pump_packets}}}};
    std::ofstream(o.json_file) << j.dump(2) << "\n";
    fmt::print("JSON: {}\n", o.json_file.string());
  } catch (const std::exception& e) {
    fmt::print(stderr, "l3_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
