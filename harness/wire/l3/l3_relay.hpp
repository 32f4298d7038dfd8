// The L3 wire's real-clock edge: two packet ports (interfaces.md 1: a TUN fd or
// one end of a SOCK_SEQPACKET socketpair, where one read() is one IP packet and
// one write() sends one) and a Link between them. Like UdpRelay, but the Link
// sees whole IP packets (run it with a scenario whose wire is l3).
//
//   L3Relay relay(link, topology.wire_fd(Dir::c2s), topology.wire_fd(Dir::s2c));
//   loop: poll(relay.fds() + pipes, relay.poll_timeout_ms(cap));
//         for each readable relay fd: relay.on_readable(fd);
//         relay.flush_due();
//   at the end: link.finish(relay.now_us());
//
// A packet read from the client's fd enters the link as c2s; a c2s delivery is
// written to the server's fd, an s2c delivery to the client's. The ICMP the link
// crafts for a c2s packet travels s2c, so it reaches the sender's own side.
// Receive times are CLOCK_MONOTONIC at read (TUN fds carry no timestamps).
// The fds stay the caller's; the relay sets them non-blocking.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "harness/wire/link.hpp"
#include "harness/wire/relay_clock.hpp"
#include "harness/wire/wire_edge.hpp"

namespace wireproof::wire {

struct L3RelayStats {
  std::uint64_t received_c2s = 0, received_s2c = 0;
  std::uint64_t sent_c2s = 0, sent_s2c = 0;
  std::uint64_t send_errors = 0;  // write() refused (send_failed in the log)
};

class L3Relay : public WireEdge {
 public:
  L3Relay(Link& link, int client_fd, int server_fd);  // throws std::system_error naming the fcntl
  L3Relay(const L3Relay&) = delete;
  L3Relay& operator=(const L3Relay&) = delete;

  std::vector<int> fds() const override { return {client_fd_, server_fd_}; }
  // Reads every packet waiting on fd and feeds each to the link.
  void on_readable(int fd) override;
  // Fires due timeline entries and writes every delivery that is due now,
  // reporting each write's real time (or its errno name) to the link.
  void flush_due() override;
  std::int64_t now_us() const override { return clock_.now_us(); }
  std::optional<std::int64_t> next_due_us() const override { return link_.next_due_us(); }
  int poll_timeout_ms(int cap_ms = -1) const override;
  const L3RelayStats& stats() const { return stats_; }

 private:
  void read_all(int fd, Dir dir);
  void send(const Delivery& d);

  Link& link_;
  int client_fd_, server_fd_;
  RelayClock clock_;
  std::int64_t last_fed_us_ = 0;  // keeps the times fed to the link non-decreasing
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(65536);
  L3RelayStats stats_;
};

// As run_relay_until for UdpRelay: polls and flushes until done() or deadline_us.
bool run_relay_until(L3Relay& relay, const std::function<bool()>& done, std::int64_t deadline_us);

}  // namespace wireproof::wire
