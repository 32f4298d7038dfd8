// One reference-stack peer on a simulated clock: what a real `ref` peer
// process is (peers/common/peer_driver.cpp around the shared, sans-IO
// peers/common/peer_core), with the socket replaced by VirtualSession and the
// steady clock by the run's simulated one. Datagrams and the virtual time go
// in; datagrams and contract events come out in the order the peer produced
// them, and the peer says when it next needs to be woken.
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

#include "harness/virtual/virtual_session.hpp"
#include "impl/dtls/connection.hpp"
#include "peers/common/echo_chunks.hpp"
#include "peers/common/peer_core.hpp"
#include "peers/common/timer_events.hpp"

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
  void on_time(std::int64_t now_us);  // acts only when next_due_us() has come
  // What a real peer does on SIGTERM (peers/CONTRACT.md "Ending"): reports what it has and exits.
  void stop(std::int64_t now_us);
  // nullopt once exited.
  std::optional<std::int64_t> next_due_us() const;
  std::vector<Output> take_outputs() { return std::exchange(out_, {}); }

  bool exited() const { return core_ && core_->exited(); }
  int exit_code() const { return core_ ? core_->exit_code() : -1; }
  const std::string& role_name() const { return role_name_; }

 private:
  void emit(nlohmann::json event);  // with "t_ms" in virtual time
  bool is_client() const { return params_.role == dtls::Role::client; }

  PeerParams params_;
  std::string role_name_;
  std::int64_t now_ = 0;
  std::vector<Output> out_;
  peers::TimerEvents timer_events_;
  VirtualSession session_;
  std::optional<peers::PeerCore> core_;  // from start()
};

}  // namespace wireproof::sim
