// What a shim implements for its library: one connection, driven
// non-blocking by run_peer (peer_driver.hpp) and decided by PeerCore.
//   - DTLS 1.2 over the peer's UDP socket: read_record returns one record.
//     The library keeps its own retransmission timer; the driver only asks
//     when it fires and tells the library when it has (printing the
//     contract's `timer` event first: timer_events.hpp).
//   - TLS over a connected TCP socket (Backend::make_tls_endpoint): no
//     timer (timer() is nullopt) and read_record returns whatever bytes the
//     library had; PeerCore cuts the workload's records from that stream.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "peers/common/event_emitter.hpp"
#include "peers/common/key_log_file.hpp"
#include "peers/common/library_timer.hpp"
#include "peers/common/options.hpp"
#include "peers/common/udp_socket.hpp"

namespace wireproof::peers {

enum class Progress {
  done,        // handshake finished / one record read or written
  want_read,   // nothing to do until the socket is readable or the timer fires
  want_write,  // the socket buffer is full: wait until writable
  closed,      // the peer sent close_notify
  failed,      // fatal: last_error() says why
};

class DtlsSession {
 public:
  virtual ~DtlsSession() = default;

  // Advances the handshake (the server's cookie exchange included).
  virtual Progress handshake() = 0;
  // The library's retransmission timer: its deadline, and whether the library
  // counts it as due now; nullopt if not running.
  virtual std::optional<LibraryTimer> timer() = 0;
  // The timer is due and nothing is to be read: let the library retransmit (or give up).
  virtual void on_timer_expired() = 0;
  // True when the library's own read path acts on a due timer (resends from
  // handshake() when a datagram is waiting), as OpenSSL and GnuTLS do; the
  // driver then prints the `timer` event before that call.
  virtual bool resends_from_read_path() const = 0;

  // One application record into out (done), or want_read / closed / failed.
  virtual Progress read_record(std::vector<std::uint8_t>& out) = 0;
  // One application record.
  virtual Progress write_record(std::span<const std::uint8_t> record) = 0;
  virtual void send_close_notify() = 0;

  virtual std::string version() const = 0;      // "DTLSv1.2"
  virtual std::string cipher() const = 0;       // OpenSSL-style name
  virtual std::string cipher_iana() const = 0;  // RFC / IANA name
  virtual std::string last_error() const = 0;   // for a person
  // The library's own name for the last failure ("certificate verify failed", "GNUTLS_E_..."), or "".
  virtual std::string last_error_reason() const { return ""; }
  // The socket error behind the last failure (ECONNRESET, EPIPE ...), 0 when
  // it was not the socket's: the contract's `error.errno` (TLS over TCP).
  virtual int last_errno() const { return 0; }

  // Fields added to `handshake_done` (TLS: group, resumed, alpn, server_name, connection).
  virtual nlohmann::json handshake_details() const { return nlohmann::json::object(); }
  // TLS 1.3 --key-update: send KeyUpdate(update_requested) now; false (last_error says why) if it failed.
  virtual bool send_key_update() {
    return false;
  }
};

// A TLS library's configuration, one per process, shared by its connections
// (two with --resume): the server's ticket keys, the client's saved session.
class TlsEndpoint {
 public:
  virtual ~TlsEndpoint() = default;
  // A session over the connected TCP socket fd (not owned); connection counts from 1.
  virtual std::unique_ptr<DtlsSession> session_on(int fd, int connection) = 0;
};

// Setting up the library failed before any I/O (bad key file, no memory ...).
struct SetupError : std::runtime_error {
  SetupError(const std::string& message, int exit_code) : std::runtime_error(message), exit_code(exit_code) {}
  int exit_code;  // 3 when a flag's value is at fault, 4 otherwise
};

// --key-log opened for appending (nullptr without the flag); an unopenable path is SetupError exit 3.
std::unique_ptr<KeyLogFile> open_key_log(const PeerOptions& opts);

struct Backend {
  using DtlsFactory = std::function<std::unique_ptr<DtlsSession>(const PeerOptions&, UdpSocket&, EventEmitter&)>;
  Backend(PeerIdentity id, DtlsFactory dtls) : identity(std::move(id)), make_session(std::move(dtls)) {}

  PeerIdentity identity;
  // Builds the session. Server: the socket is bound, not connected; the
  // session connects it to the client once the cookie exchange succeeds.
  // Events (alerts) go to the emitter. Throws SetupError.
  DtlsFactory make_session;
  // TLS over TCP; absent for a DTLS-only shim. Throws SetupError.
  std::function<std::unique_ptr<TlsEndpoint>(const PeerOptions&, EventEmitter&)> make_tls_endpoint = {};
  PeerCapabilities capabilities = {};
};

}  // namespace wireproof::peers
