// The reference stack (impl/dtls Connection) as a peer-contract session: the
// sans-IO connection gets the peer's UDP socket and the steady clock here, at
// the edge. The server keeps no state for a client until its ClientHello
// returns a valid cookie, then connects the socket to that client.
#pragma once

#include <netinet/in.h>

#include <memory>

#include "impl/dtls/connection.hpp"
#include "peers/common/dtls_session.hpp"

namespace wireproof::peers::ref {

class RefSession final : public DtlsSession {
 public:
  // Throws SetupError (exit 3) for unreadable or mismatched cert/key/CA files, or an unusable MTU.
  RefSession(const PeerOptions& opts, const dtls::ProtocolBugs& bugs, UdpSocket& socket, EventEmitter& events);

  Progress handshake() override;
  std::optional<LibraryTimer> timer() override;
  void on_timer_expired() override;
  bool resends_from_read_path() const override { return false; }  // only on_timeout() resends on the timer
  Progress read_record(std::vector<std::uint8_t>& out) override;
  Progress write_record(std::span<const std::uint8_t> record) override;
  void send_close_notify() override;
  std::string version() const override { return "DTLSv1.2"; }
  std::string cipher() const override;
  std::string cipher_iana() const override;
  std::string last_error() const override;

 private:
  dtls::Time now() const;
  void pump();   // reads every queued datagram into the connection
  void flush();  // sends what the connection queued; reports alerts
  Progress status() const;
  void new_server_connection(const sockaddr_in& from);

  const PeerOptions& opts_;
  UdpSocket& socket_;
  EventEmitter& events_;
  dtls::ConnectionConfig cfg_;
  std::unique_ptr<dtls::Connection> conn_;
  std::optional<sockaddr_in> candidate_;  // server: the address the current connection answers
  bool connected_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::string io_error_;
};

}  // namespace wireproof::peers::ref
