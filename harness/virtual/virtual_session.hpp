// The reference stack as a peer-contract session on a simulated clock: what
// peers/ref/ref_session.cpp is for a real `ref` process, without the socket.
// Datagrams come in through feed(); those the connection sends, and the
// alerts it reports, go to the callbacks in the order the stack made them.
// The shared driver core (peers/common/peer_core.hpp) drives it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "impl/dtls/connection.hpp"
#include "peers/common/dtls_session.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::sim {

class VirtualSession final : public peers::DtlsSession {
 public:
  using SendDatagram = std::function<void(crypto::Bytes)>;

  // `now_us` is read at each call: the simulated time, microseconds since the run began.
  // Throws std::invalid_argument for an MTU the stack cannot use.
  VirtualSession(dtls::ConnectionConfig cfg, const std::int64_t& now_us, SendDatagram send, peers::EmitEvent emit);

  void feed(const crypto::Bytes& datagram);
  // The stack's next deadline on the simulated clock; nullopt when no timer runs.
  std::optional<std::int64_t> deadline_us() const;

  peers::Progress handshake() override;
  std::optional<peers::LibraryTimer> timer() override;
  void on_timer_expired() override;
  bool resends_from_read_path() const override { return false; }  // as the ref: only on_timeout() resends
  peers::Progress read_record(std::vector<std::uint8_t>& out) override;
  peers::Progress write_record(std::span<const std::uint8_t> record) override;
  void send_close_notify() override;
  std::string version() const override { return "DTLSv1.2"; }
  std::string cipher() const override;
  std::string cipher_iana() const override;
  std::string last_error() const override;

 private:
  dtls::Time now() const { return dtls::Time(now_us_); }
  void flush();  // queued datagrams, then the alerts they carried
  peers::Progress status() const;

  std::unique_ptr<dtls::Connection> conn_;
  bool is_client_;
  const std::int64_t& now_us_;
  SendDatagram send_;
  peers::EmitEvent emit_;
  std::string write_error_;
};

}  // namespace wireproof::sim
