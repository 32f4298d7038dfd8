// What every real-clock edge of the Link shares (UdpRelay over UDP sockets,
// L3Relay over packet fds): the run's clock, errno names for send_failed, the
// poll timeout until the link's next deadline, and a poll-and-flush loop.
//
// Times are microseconds since the clock's t0 (its construction), on
// CLOCK_MONOTONIC; kernel receive timestamps (CLOCK_REALTIME) are shifted by the
// REALTIME-MONOTONIC offset measured at start.
#pragma once

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace wireproof::wire {

class RelayClock {
 public:
  RelayClock() {
    // REALTIME - MONOTONIC, read between two MONOTONIC samples to halve the error.
    const std::int64_t m1 = clock_ns(CLOCK_MONOTONIC);
    const std::int64_t r = clock_ns(CLOCK_REALTIME);
    const std::int64_t m2 = clock_ns(CLOCK_MONOTONIC);
    realtime_minus_mono_ns_ = r - (m1 + m2) / 2;
    t0_mono_ns_ = m2;
  }
  std::int64_t now_us() const { return (clock_ns(CLOCK_MONOTONIC) - t0_mono_ns_) / 1000; }
  // A CLOCK_REALTIME instant (a kernel receive timestamp) on this clock.
  std::int64_t from_realtime_ns(std::int64_t realtime_ns) const {
    return (realtime_ns - realtime_minus_mono_ns_ - t0_mono_ns_) / 1000;
  }

 private:
  static std::int64_t clock_ns(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  }
  std::int64_t t0_mono_ns_ = 0;
  std::int64_t realtime_minus_mono_ns_ = 0;
};

// "ECONNREFUSED", as a person searches for it.
inline std::string errno_name(int error) {
  const char* name = strerrorname_np(error);
  return name ? name : "errno " + std::to_string(error);
}

// Milliseconds until `next_due_us` (rounded up), at most cap_ms; -1 = no deadline and no cap.
inline int poll_timeout_ms(std::optional<std::int64_t> next_due_us, std::int64_t now_us, int cap_ms) {
  if (!next_due_us) return cap_ms;
  const std::int64_t wait_us = std::max<std::int64_t>(0, *next_due_us - now_us);
  const std::int64_t ms = (wait_us + 999) / 1000;
  return cap_ms >= 0 ? static_cast<int>(std::min<std::int64_t>(ms, cap_ms)) : static_cast<int>(ms);
}

// Polls an edge's fds and flushes its due deliveries until done() returns true
// (checked after every wake-up) or now_us() reaches deadline_us. Returns whether
// done() became true. Edge: fds(), on_readable(fd), flush_due(), now_us(), next_due_us().
template <class Edge>
bool run_edge_until(Edge& edge, const std::function<bool()>& done, std::int64_t deadline_us) {
  std::vector<pollfd> pfds;
  for (int fd : edge.fds()) pfds.push_back({fd, POLLIN, 0});
  for (;;) {
    edge.flush_due();
    if (done()) return true;
    const std::int64_t now = edge.now_us();
    if (now >= deadline_us) return false;
    // Sleep with microsecond precision (ppoll) until the next delivery or the deadline.
    std::int64_t wait_us = deadline_us - now;
    if (auto next = edge.next_due_us()) wait_us = std::min(wait_us, std::max<std::int64_t>(0, *next - now));
    wait_us = std::min<std::int64_t>(wait_us, 100'000);  // re-check done() at least every 100 ms
    timespec ts{static_cast<time_t>(wait_us / 1'000'000), static_cast<long>((wait_us % 1'000'000) * 1000)};
    const int n = ppoll(pfds.data(), pfds.size(), &ts, nullptr);
    if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "relay: ppoll");
    for (auto& p : pfds)
      if (n > 0 && (p.revents & (POLLIN | POLLERR))) edge.on_readable(p.fd);
  }
}

}  // namespace wireproof::wire
