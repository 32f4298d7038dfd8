// An owned, non-blocking IPv4 UDP socket (closed on destruction).
// Server: bound, unconnected until the cookie exchange names the client.
// Client: connected to the server, so only the server's datagrams are read.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "peers/common/options.hpp"

namespace wireproof::peers {

// Socket set-up failed (bad address, bind refused): message says which call and why.
struct SocketError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// HOST (numeric or name) resolved to an IPv4 address; throws SocketError.
sockaddr_in resolve_ipv4(const HostPort& hp);

class UdpSocket {
 public:
  static UdpSocket bound(const HostPort& local);
  static UdpSocket connected(const HostPort& remote);

  UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UdpSocket& operator=(UdpSocket&&) = delete;
  UdpSocket(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  std::uint16_t local_port() const;
  // Fixes the remote end (server, once a client proved its address with a cookie).
  void connect_to(const sockaddr_in& remote);

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  int fd_;
};

std::string to_string(const sockaddr_in& addr);

}  // namespace wireproof::peers
