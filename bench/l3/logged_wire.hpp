// The full L3 wire as a run has it, on its own thread: Link (empty impairment
// list, protocol tcp, wire l3: every packet dissected into IP/TCP layers) and
// L3Relay between the topology's two TUN fds, every event written to
// events.jsonl as the runner writes it: each event moved to a writer thread,
// which keeps it after writing, as the runner keeps it for judging (a 64 MiB
// transfer: ~70k events, ~250 MB, let go at stop()). Besides that it keeps,
// per packet, what the benchmark measures (times and a fingerprint).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <optional>
#include <vector>

#include "harness/events/event_writer.hpp"

#include "harness/wire/l3/l3_relay.hpp"
#include "harness/wire/l3/l3_topology.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::bench::l3 {

// Identifies one IP packet in a capture cut to `kFingerprintBytes` (dumpcap -s):
// its length and a hash of its first bytes (IP + TCP headers with seq/ack and
// the timestamp option, so two different packets practically never collide).
constexpr std::size_t kFingerprintBytes = 96;
std::uint64_t packet_fingerprint(const std::uint8_t* data, std::size_t captured, std::size_t length);

struct PacketTimes {
  wire::Dir dir;
  std::int64_t received_us;   // the event's t_us: the wire's read() of the packet
  std::int64_t delivered_us;  // deliveries_us[0]: just before its write(); -1 if never sent
  std::uint64_t fingerprint;
};

class LoggedWire {
 public:
  // An empty events_file: events are built but not serialised or written (the
  // profile's "wire without the log" path).
  LoggedWire(const wire::l3::L3Topology& topo, const std::filesystem::path& events_file);
  ~LoggedWire();  // stops the thread, finishes the link, flushes the file
  LoggedWire(const LoggedWire&) = delete;
  LoggedWire& operator=(const LoggedWire&) = delete;

  void stop();                                            // idempotent
  const std::vector<PacketTimes>& packets() const;        // after stop()
  std::int64_t t0_unix_us() const { return t0_unix_us_; }  // CLOCK_REALTIME us at the relay clock's 0
  std::uintmax_t events_file_bytes() const;               // after stop()
  std::int64_t stopped_unix_us() const { return t0_unix_us_ + stopped_us_; }  // when the relay stopped reading
  // The wire thread's CPU time (after stop()); serialising and writing the
  // events is the writer thread's, as in a run.
  double thread_cpu_s() const { return thread_cpu_s_; }
  // Its minor page faults (after stop()): fresh memory first touched, e.g. for
  // the events a run keeps.
  std::uint64_t thread_minor_faults() const { return thread_minor_faults_; }
  // Lines the writer has written so far (0 when not logged).
  std::size_t lines_written() const { return writer_ ? writer_->lines_written() : 0; }

 private:
  static scenario::Scenario empty_tcp_scenario();

  scenario::Scenario scenario_;
  std::filesystem::path file_;
  std::ofstream out_;
  std::optional<events::EventWriter> writer_;  // declared before link_: link_'s finish() still logs
  std::vector<PacketTimes> packets_;
  wire::Link link_;
  wire::L3Relay relay_;
  std::int64_t t0_unix_us_ = 0, stopped_us_ = 0;
  double thread_cpu_s_ = 0;
  std::uint64_t thread_minor_faults_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace wireproof::bench::l3
