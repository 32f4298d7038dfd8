// The wire's real-clock edge in UDP relay mode: two loopback UDP sockets and a
// Link between them. The client peer sends to client_port(); the relay learns
// the client's address from its first datagram and sends to the server peer
// at 127.0.0.1:server_port from a connected socket.
//
// The relay does not own the event loop, so the runner can poll its fds
// together with the peers' stdout pipes:
//
//   UdpRelay relay(link, server_port);
//   ... start client with --connect 127.0.0.1:<relay.client_port()> ...
//   loop: poll(relay.fds() + pipes, relay.poll_timeout_ms(cap));
//         for each readable relay fd: relay.on_readable(fd);
//         link.on_peer_event(role, json, relay.now_us());
//         relay.flush_due();
//   at the end: link.finish(relay.now_us());
//
// Times are microseconds since the relay's t0 (its construction), on
// CLOCK_MONOTONIC. Receive times come from the kernel (SO_TIMESTAMPNS, on
// CLOCK_REALTIME, shifted by the REALTIME-MONOTONIC offset measured at start),
// falling back to CLOCK_MONOTONIC at read time.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "harness/wire/link.hpp"
#include "harness/wire/unique_fd.hpp"
#include "harness/wire/wire_edge.hpp"

namespace wireproof::wire {

struct RelayStats {
  std::uint64_t received_c2s = 0, received_s2c = 0;
  std::uint64_t sent_c2s = 0, sent_s2c = 0;
  std::uint64_t kernel_timestamps = 0;   // receive times taken from SO_TIMESTAMPNS
  std::uint64_t undeliverable = 0;       // s2c deliveries before the client was known (send_failed in the log)
  std::uint64_t send_errors = 0;         // send/sendto failed (buffer full, peer gone; send_failed in the log)
  std::uint64_t foreign = 0;             // c2s datagrams from a second client address (forwarded)
};

class UdpRelay : public WireEdge {
 public:
  // Throws std::system_error naming the socket call that failed.
  UdpRelay(Link& link, std::uint16_t server_port);
  ~UdpRelay() override;
  UdpRelay(const UdpRelay&) = delete;
  UdpRelay& operator=(const UdpRelay&) = delete;

  std::uint16_t client_port() const;  // the port the client peer must send to
  std::vector<int> fds() const override;  // poll these for POLLIN
  // Reads every datagram waiting on fd (batched) and feeds each to the link.
  void on_readable(int fd) override;
  // Fires due timeline entries and sends every delivery that is due now,
  // reporting each send's real time (or its errno) to the link.
  void flush_due() override;
  std::int64_t now_us() const override;
  // The link's next deadline (delivery, reorder hold, timeline), if any.
  std::optional<std::int64_t> next_due_us() const override;
  // Milliseconds until the link's next deadline (rounded up), at most cap_ms; -1 = none and no cap.
  int poll_timeout_ms(int cap_ms = -1) const override;
  const RelayStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Convenience loop for tests and benchmarks: polls and flushes until done()
// returns true (checked after every wake-up) or now_us() reaches deadline_us.
// Returns whether done() became true.
bool run_relay_until(UdpRelay& relay, const std::function<bool()>& done, std::int64_t deadline_us);

}  // namespace wireproof::wire
