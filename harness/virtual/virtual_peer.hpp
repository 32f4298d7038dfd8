// One reference-stack peer on a simulated clock: a dtls::Connection plus the
// echo workload (peers/common EchoClient / EchoServer), behaving as
// peers/common/peer_driver.cpp does for a real `ref` peer process, but sans-IO:
// datagrams and the virtual time go in; datagrams and contract events come out
// in the order the peer produced them, and the peer says when it next needs
// to be woken.
//
//   VirtualPeer p(params, conn_cfg);
//   p.start(0);
//   p.on_datagram(bytes, now_us);   // or p.on_time(now_us) at p.next_due_us()
//   for (auto& o : p.take_outputs()) ...   // Output::datagram or Output::event
//   p.exited() / p.exit_code()      // the contract's exit codes
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "impl/dtls/connection.hpp"
#include "peers/common/echo_chunks.hpp"
#include "peers/common/echo_client.hpp"
#include "peers/common/echo_server.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::sim {

// What the runner would pass a real peer on its command line, as values.
struct PeerParams {
  dtls::Role role = dtls::Role::client;
  int port = 0;                        // reported in "ready"
  std::optional<int> timer_initial_ms;  // echo resend interval derives from it
  std::int64_t handshake_timeout_ms = 27000;
  std::int64_t idle_timeout_ms = 5000;
  peers::ChunkPlan plan;
};

struct Output {
  std::optional<crypto::Bytes> datagram;  // exactly one of datagram / event
  std::optional<nlohmann::json> event;    // a contract event with "t_ms"
};

class VirtualPeer {
 public:
  // Throws std::invalid_argument for an MTU the stack cannot use.
  VirtualPeer(PeerParams params, dtls::ConnectionConfig cfg);

  void start(std::int64_t now_us);
  void on_datagram(const crypto::Bytes& datagram, std::int64_t now_us);
  void on_time(std::int64_t now_us);
  // What a real peer does on SIGTERM (peers/CONTRACT.md "Ending"): reports what it has and exits.
  void stop(std::int64_t now_us);
  // nullopt once exited.
  std::optional<std::int64_t> next_due_us() const;
  std::vector<Output> take_outputs() { return std::exchange(out_, {}); }

  bool exited() const { return phase_ == Phase::exited; }
  int exit_code() const { return exit_code_; }
  const std::string& role_name() const { return role_name_; }

 private:
  enum class Phase { handshaking, workload, exited };

  void advance(std::int64_t now);
  void client_step(std::int64_t now);
  void server_step(std::int64_t now);
  void finish_client(const std::string& reason, const std::string& error);
  void finish_server(const std::string& reason, const std::string& error);
  void fail(int code, const std::string& message);
  void end(int exit_code);          // the peer has exited with `exit_code`
  peers::EmitEvent emitter();       // emit() for the shared endings (peers/common/peer_ending.hpp)
  std::string send_error(std::size_t record_size) const;
  void emit(nlohmann::json event);
  void flush();  // queued datagrams, then the alerts they carried
  bool is_client() const { return params_.role == dtls::Role::client; }
  // App data has flowed (an echo came back / a record arrived): silence no longer ends the workload.
  bool heard_back() const { return echo_client_ ? echo_client_->heard_back() : echo_server_ && echo_server_->received_any(); }

  PeerParams params_;
  std::string role_name_;
  std::unique_ptr<dtls::Connection> conn_;
  Phase phase_ = Phase::handshaking;
  int exit_code_ = -1;
  std::int64_t now_ = 0;
  std::optional<std::int64_t> handshake_began_;  // client: start; server: first datagram
  std::int64_t workload_start_ = 0, last_rx_ = 0;
  std::optional<peers::EchoClient> echo_client_;
  std::optional<peers::EchoServer> echo_server_;
  std::vector<Output> out_;
};

}  // namespace wireproof::sim
