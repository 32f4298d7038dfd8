// Shared by the L3 tests: the skip rule, and a bare TUN-to-TUN copy loop standing in
// for the wire (the real wire will put the Link pipeline in its place).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include <thread>

#include <gtest/gtest.h>

#include "harness/wire/l3/net_namespace.hpp"
#include "harness/wire/unique_fd.hpp"

namespace wireproof::wire::l3::test {

// Why L3 tests cannot run here (not root, no /dev/net/tun), or "" when they can.
std::string l3_unavailable();

#define WP_SKIP_WITHOUT_L3()                                                                \
  do {                                                                                      \
    if (auto why = ::wireproof::wire::l3::test::l3_unavailable(); !why.empty()) GTEST_SKIP() << why; \
  } while (0)

// Copies every packet read from one fd to the other until destroyed, and checks each
// one on the way: IPv4, both addresses inside 198.18.0.0/15, size within the MTU.
// It reads a side until EAGAIN before polling again, as L3Relay does (it sets
// both fds non-blocking, as L3Relay does; a write that would block waits for
// POLLOUT, so nothing is dropped): bench/l3 compares the wire with this loop,
// and a loop that polled once a packet would compare batching, not work.
class PacketPump {
 public:
  PacketPump(int a, int b);
  ~PacketPump();
  PacketPump(const PacketPump&) = delete;
  PacketPump& operator=(const PacketPump&) = delete;

  // CPU time the pump's thread has used so far (bench/l3: its cost a packet).
  double thread_cpu_s();

  std::atomic<std::size_t> a_to_b{0}, b_to_a{0};
  std::atomic<std::size_t> largest{0};       // bytes of the largest packet seen
  std::atomic<std::size_t> outside_range{0};  // packets not IPv4 198.18.0.0/15 <-> same

 private:
  void run();
  int a_, b_;
  UniqueFd stop_read_, stop_write_;
  std::thread thread_;
};

// A kernel-TCP echo between two namespaces, on threads, so the calling thread
// can drive the wire: a server in `server_ns` listening on server_addr echoes
// everything; a client in `client_ns` sends `bytes` seeded-random bytes while
// reading the echo back. Sockets are bounded by 10 s timeouts; abort() (and the
// destructor) shuts every socket down so the threads end at once.
// A TCP socket created in ns (AF_INET or AF_INET6), with 10 s send/receive
// timeouts so a broken wire fails a test quickly.
UniqueFd tcp_socket_in(const NetNamespace& ns, int family);
// send() until all n bytes are out; false on error.
bool write_all(int fd, const std::uint8_t* p, std::size_t n);

class TcpEcho {
 public:
  TcpEcho(const NetNamespace& client_ns, const NetNamespace& server_ns, const std::string& server_addr,
          std::size_t bytes);
  ~TcpEcho();
  TcpEcho(const TcpEcho&) = delete;
  TcpEcho& operator=(const TcpEcho&) = delete;

  bool finished() const { return finished_; }  // all bytes back, EOF, or an error
  void abort();
  void join();                                 // waits for both threads
  const std::vector<std::uint8_t>& sent() const { return sent_; }
  const std::vector<std::uint8_t>& received() const { return received_; }  // after join()
  const std::string& error() const { return error_; }                      // after join(); "" = none
  int client_fd() const { return client_.get(); }

 private:
  std::vector<std::uint8_t> sent_, received_;
  std::string error_;
  UniqueFd listener_, client_;
  std::atomic<int> conn_fd_{-1};
  std::atomic<bool> finished_{false};
  std::thread server_thread_, client_thread_;
};

// `ip`/`tc` output, for assertions about what the kernel really configured.
std::string tool_output(const std::string& tool, const std::vector<std::string>& args);

}  // namespace wireproof::wire::l3::test
