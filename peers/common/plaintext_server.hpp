// --plaintext (peers/CONTRACT.md "TLS"): a server port that speaks no TLS, so
// the harness can judge what a TLS client does when the other end is not TLS
// (the plaintext_fallback check). Library-independent: the driver runs it in
// place of the TLS session, for every shim.
//
// The driver has accepted the connection and printed `connected`; then
//   PlaintextEnd end = serve_plaintext(fd, opts.idle_timeout_ms, stop.fd());
//   linger_close(fd);
//   return end_plaintext(end, opts.idle_timeout_ms, emit);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "peers/common/peer_ending.hpp"

namespace wireproof::peers {

// What a TLS client meets at an HTTP port. Not a TLS record: 'H' (0x48) is no content type.
inline constexpr std::string_view kPlaintextAnswer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

struct PlaintextEnd {
  enum class How { fin, rst, idle, stopped, error } how = How::error;
  bool answered = false;         // kPlaintextAnswer was written
  std::uint64_t received = 0;    // bytes read from the client (and discarded)
  int socket_errno = 0;          // How::rst / How::error: the errno behind it
  std::string error;             // How::error: what failed, for a person
};

// Waits for the client's first bytes (at most idle_timeout_ms of silence),
// writes kPlaintextAnswer once, then reads and discards until the client
// closes (fin) or resets (rst), or stop_fd turns readable (SIGTERM). Keeping
// the connection open until then means the client reacts to the answer, not
// to our FIN.
PlaintextEnd serve_plaintext(int fd, int idle_timeout_ms, int stop_fd);

// The contract's events for that end (`closed` fin/rst/idle/stopped, an
// `error` before a failure) and the exit code: 0 once the answer went out and
// the client ended the connection (or SIGTERM came after it), else 2.
int end_plaintext(const PlaintextEnd& end, int idle_timeout_ms, const EmitEvent& emit);

}  // namespace wireproof::peers
