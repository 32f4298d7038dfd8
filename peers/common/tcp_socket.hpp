// An owned, non-blocking TCP socket for the TLS shims (closed on
// destruction): a listening server socket and its accepted connections, or
// a client's connect in progress. IPv4 or IPv6 literals (the contract's
// ADDR:PORT; brackets already removed by parse_host_port). Waiting is the
// driver's (poll); this only makes the calls and names what failed.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "peers/common/options.hpp"
#include "peers/common/udp_socket.hpp"  // SocketError

namespace wireproof::peers {

class TcpSocket {
 public:
  // Bound and listening (backlog 4); throws SocketError.
  static TcpSocket listening(const HostPort& local);
  // A non-blocking connect begun; the socket turns writable when it ends
  // (connect_result() then says how). Throws SocketError.
  static TcpSocket connecting(const HostPort& remote);

  TcpSocket(TcpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  TcpSocket& operator=(TcpSocket&& other) noexcept;
  TcpSocket(const TcpSocket&) = delete;
  ~TcpSocket();

  // Listening socket: the next pending connection (non-blocking), nullopt
  // when none is waiting; throws SocketError on a real failure.
  std::optional<TcpSocket> accept();
  // After the connect's socket turned writable: 0 (connected) or the errno.
  int connect_result() const;

  int fd() const { return fd_; }
  std::uint16_t local_port() const;
  std::string local_address() const;   // "198.18.0.1:40000", "[2001:db8::1]:40000"
  std::string remote_address() const;

 private:
  explicit TcpSocket(int fd) : fd_(fd) {}
  int fd_;
};

// "1.2.3.4:5" / "[2001:db8::1]:5" of a socket address.
std::string address_text(const sockaddr_storage& addr);

}  // namespace wireproof::peers
