// What every workload of the kernel-TCP shim shares: the options, the event
// writer, the stop signal, and the contract's reporting rules (tcp_info at
// the moments the contract names, errors by errno name, how a run ends).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>
#include <string>

#include <nlohmann/json.hpp>

#include "peers/common/echo_chunks.hpp"
#include "peers/common/event_emitter.hpp"
#include "peers/common/peer_ending.hpp"
#include "peers/common/sha256.hpp"
#include "peers/common/stop_signal.hpp"
#include "peers/common/tcp_options.hpp"
#include "peers/linux/tcp_conn.hpp"

namespace wireproof::peers::linux_tcp {

// Exit codes: peers/common/peer_ending.hpp (kExitOk, kExitHandshake, ...).

// How the run ended: the closed event's reason and the exit code.
struct End {
  std::string reason;  // done | fin | rst | idle | stopped | error
  int exit_code = kExitOk;
};

struct Session {
  const TcpPeerOptions& opts;
  EventEmitter& events;
  StopSignal& stop;

  ChunkPlan plan() const { return {opts.echo_bytes, opts.chunk}; }
  Clock::time_point handshake_deadline() const {
    return Clock::now() + std::chrono::milliseconds(opts.handshake_timeout_ms);
  }
  Clock::time_point idle_deadline() const { return Clock::now() + std::chrono::milliseconds(opts.idle_timeout_ms); }

  // {"event":"tcp_info","when":when, ...tcp_info fields}.
  void tcp_info(const TcpConn& conn, const std::string& when);
  // The connected event (with tcp_info) and the tcp_info "connected" event.
  void connected(const TcpConn& conn, double time_ms);
  // An error event naming the errno; `extra` fields are merged in.
  void error(const Io& io, nlohmann::json extra = nlohmann::json::object());
  // How an Io that is not ok ends the run: stopped, idle, rst (ECONNRESET,
  // EPIPE), fin (eof), error; exit code `failure_code` except for stopped.
  End end_from(const Io& io, int failure_code = kExitWorkload);
  // `reason_when_ok` with exit 0 when io is ok, else end_from(io).
  End ended(const Io& io, const char* reason_when_ok);
  // connect/accept did not produce a connection: the error event and exit 1
  // (stopped stays exit 0; a timeout is the harness's, reported without errno).
  End handshake_failed(const Io& io);

  // Client: prepares, reports "ready" (when `announce`), connects within
  // --handshake-timeout-ms and reports "connected"; on failure, the error
  // event and `failed` (exit 1).
  std::optional<TcpConn> connect(bool announce, End& failed, Io* outcome = nullptr);
  // Server: accepts one connection within --handshake-timeout-ms.
  std::optional<TcpConn> accept(TcpListener& listener, End& failed);
  // Sleeps ms unless SIGTERM comes first (then false).
  bool pause(int ms);
  // The app_data event's common head: role and workload.
  nlohmann::json app_data(const char* role) const;
};

// The sent or received byte stream: its length and SHA-256.
struct StreamTally {
  Sha256 hash;
  std::uint64_t bytes = 0;
  void add(std::span<const std::uint8_t> data) {
    hash.update(data);
    bytes += data.size();
  }
};

// The plan's records (echo_chunks.hpp: 8-byte index, then the pattern) back
// to back, handed out one write at a time: the same bytes and digests as the
// DTLS workload, where each record is a datagram instead.
class PatternWriter {
 public:
  explicit PatternWriter(ChunkPlan plan, std::uint64_t first = 0, std::optional<std::uint64_t> end = std::nullopt);
  bool done() const { return next_ >= end_ && offset_ >= record_.size(); }
  std::uint64_t records_started() const { return next_; }
  // The unsent rest of the current record (empty when done).
  std::span<const std::uint8_t> pending();
  // n bytes of pending() were written.
  void advance(std::size_t n);
  const StreamTally& sent() const { return sent_; }

 private:
  ChunkPlan plan_;
  std::uint64_t next_, end_;
  std::vector<std::uint8_t> record_;
  std::size_t offset_ = 0;
  StreamTally sent_;
};

// Writes every pending byte of w (adding them to each tally in `also` too).
Io send_pattern(TcpConn& c, PatternWriter& w, std::initializer_list<StreamTally*> also = {});
// Reads until the peer's FIN into `into` (idle limit only before the first byte when given).
Io read_to_eof(TcpConn& c, StreamTally& into, std::optional<Clock::time_point> first_byte_by = std::nullopt,
               std::vector<std::uint8_t>* keep = nullptr);
// SO_KEEPALIVE with TCP_KEEPIDLE/INTVL/CNT; throws SocketSetupError.
void set_keepalive(const TcpConn& c, const Keepalive& k);
// keepalive workload, both roles: idle until the kernel gives up on the peer
// (ETIMEDOUT, reported with the time since the last data), its FIN, or SIGTERM.
End keepalive_idle(Session& s, TcpConn& c);

// Runs the role's side of opts.workload (the client connects itself; the
// server's listener is already reporting ready).
End run_client_workload(Session& s);
End run_server_workload(Session& s, TcpListener& listener);

}  // namespace wireproof::peers::linux_tcp
