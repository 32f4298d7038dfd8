// The contract peer's decisions, sans-IO (peers/CONTRACT.md "Workload",
// "Ending"): drive the handshake under --handshake-timeout-ms, then the echo
// workload under --idle-timeout-ms, hand the library its due timer, honour a
// stop, and end with the contract's events and exit code. It calls the
// session and reads time through the clock it is given; it never waits,
// polls or touches a socket. Two drivers wrap it, so a real peer and a
// virtual one cannot drift apart:
//   - peer_driver.cpp: a process on a UDP socket and the steady clock (poll);
//   - harness/virtual/virtual_peer.cpp: dtls::Connection on a simulated clock.
//
//   PeerCore core(core_config(opts), session, timer_events, emit, clock);
//   core.step();                               // at start
//   while (!core.exited()) {
//     wait until input, core.wake_at() or the library's timer;
//     if the timer is due: core.on_timer_due(timer, input_waiting);
//     if SIGTERM: core.request_stop();
//     core.step();
//   }
//   return core.exit_code();
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "peers/common/dtls_session.hpp"
#include "peers/common/framed_echo.hpp"
#include "peers/common/peer_ending.hpp"
#include "peers/common/stream_records.hpp"
#include "peers/common/timer_events.hpp"

namespace wireproof::peers {

// What the core needs from the command line.
struct PeerCoreConfig {
  Role role = Role::client;
  Framing framing = Framing::binary;
  ChunkPlan plan;
  std::optional<int> timer_initial_ms;  // the echo resend interval derives from it
  std::int64_t handshake_timeout_ms = 30000;
  std::int64_t idle_timeout_ms = 5000;
  // TLS over TCP: reads are a byte stream the core cuts into records, and nothing is resent.
  bool stream = false;
  bool key_update = false;  // --key-update: once half the chunks are sent (client) / received (server)
};

PeerCoreConfig core_config(const PeerOptions& opts);

class PeerCore {
 public:
  using Micros = std::chrono::microseconds;
  using Clock = std::function<Micros()>;  // time since the peer started; read after each library call

  PeerCore(PeerCoreConfig config, DtlsSession& session, TimerEvents& timer_events, EmitEvent emit, Clock clock);

  // Advances the handshake, then the workload, as far as it goes without
  // waiting. The handshake is timed from the client's first step and from the
  // server's first step after a wait (its first datagram).
  void step();
  // SIGTERM: the next step() ends the peer as the contract says.
  void request_stop() { stop_requested_ = true; }
  // The library's timer is due. Without input waiting the library is told;
  // with input waiting a library that resends from its read path
  // (DtlsSession::resends_from_read_path) acts on it in the next step,
  // otherwise the timer is left for the wait after that.
  void on_timer_due(const LibraryTimer& timer, bool input_waiting);

  // When the core itself needs a step: the handshake timeout, the idle
  // timeout while nothing has flowed, the echo resend. nullopt: only input,
  // the library's timer or a stop can move it.
  std::optional<Micros> wake_at() const;
  // What the handshake waits for (want_read, or want_write on a full socket buffer).
  Progress waiting_for() const { return waiting_for_; }

  bool exited() const { return exit_code_.has_value(); }
  int exit_code() const { return exit_code_.value_or(kExitInternal); }

 private:
  enum class Phase { handshake, workload };

  void handshake_step();
  void client_step();
  void server_step();
  // Reads every record available; returns closed/failed when the connection ended, want_read otherwise.
  Progress drain(const std::function<void(const std::vector<std::uint8_t>&)>& on_record);
  // --key-update: sends it once `chunks` (sent or received) reach half the plan; false if the send failed.
  bool maybe_key_update(std::uint64_t chunks);
  bool idle_expired() const;  // silence ends the workload only before app data flowed
  bool heard_back() const;
  void fail(int code, const std::string& message, const std::string& reason = "") {
    exit_code_ = end_with_error(code, message, emit_, reason);
  }
  void finish_client(const std::string& reason, const std::string& error);
  void finish_server(const std::string& reason, const std::string& error);
  Micros ms(std::int64_t n) const { return Micros(n * 1000); }

  PeerCoreConfig config_;
  DtlsSession& session_;
  TimerEvents& timer_events_;
  EmitEvent emit_;
  Clock clock_;

  Phase phase_ = Phase::handshake;
  Progress waiting_for_ = Progress::want_read;
  bool stop_requested_ = false;
  bool stepped_ = false;
  std::optional<int> exit_code_;
  Micros start_;                      // the core's creation: the handshake timeout counts from here
  std::optional<Micros> began_;       // the handshake's own timing
  Micros workload_start_{0}, last_rx_{0};
  std::optional<FramedEchoClient> client_;
  std::optional<FramedEchoServer> server_;
  std::optional<FramedStreamRecords> stream_;  // TLS: the records cut from the byte stream
  std::uint64_t chunks_moved_ = 0;             // client: written; server: received (for --key-update)
  bool key_updated_ = false;
};

}  // namespace wireproof::peers
