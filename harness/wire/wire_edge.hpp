// The real-clock edge of the wire, whatever it carries: the runner polls its
// fds together with the peers' pipes and lets it move traffic through the
// Link. UdpRelay (datagrams between loopback sockets) and L3Relay (IP packets
// between the namespaces' devices) are the two edges.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace wireproof::wire {

class WireEdge {
 public:
  virtual ~WireEdge() = default;
  virtual std::vector<int> fds() const = 0;   // poll these for POLLIN
  virtual void on_readable(int fd) = 0;       // read what is waiting and feed the link
  virtual void flush_due() = 0;               // fire timeline entries, send what is due
  virtual std::int64_t now_us() const = 0;    // microseconds since the edge's t0
  virtual std::optional<std::int64_t> next_due_us() const = 0;
  // Milliseconds until the next deadline (rounded up), at most cap_ms; -1 = none and no cap.
  virtual int poll_timeout_ms(int cap_ms = -1) const = 0;
};

}  // namespace wireproof::wire
