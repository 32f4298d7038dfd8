#include "harness/wire/l3/l3_relay.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace wireproof::wire {
namespace {

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "L3Relay: fcntl(O_NONBLOCK) on packet fd");
}

}  // namespace

L3Relay::L3Relay(Link& link, int client_fd, int server_fd) : link_(link), client_fd_(client_fd), server_fd_(server_fd) {
  set_nonblocking(client_fd_);
  set_nonblocking(server_fd_);
}

void L3Relay::on_readable(int fd) {
  if (fd == client_fd_) read_all(fd, Dir::c2s);
  else if (fd == server_fd_) read_all(fd, Dir::s2c);
}

void L3Relay::read_all(int fd, Dir dir) {
  for (;;) {
    const ssize_t n = ::read(fd, buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      throw std::system_error(errno, std::generic_category(), "L3Relay: read from packet fd");
    }
    if (n == 0) return;  // a socketpair whose peer end closed: nothing more will come
    (dir == Dir::c2s ? stats_.received_c2s : stats_.received_s2c)++;
    const std::int64_t t = std::max(now_us(), last_fed_us_);
    last_fed_us_ = t;
    link_.on_datagram(dir, std::vector<std::uint8_t>(buffer_.begin(), buffer_.begin() + n), t);
    // Send what is due now before reading the next packet: under bulk a
    // delivery (or the ICMP answering this packet) must not wait behind the
    // rest of the batch (measured: 3 ms median in the wire under bulk).
    flush_due();
  }
}

// As UdpRelay::State::send: the time is read just before the write, so an
// answer the receiver sends at once never seems to precede its cause.
void L3Relay::send(const Delivery& d) {
  const std::int64_t handed_us = std::max(now_us(), d.due_us);
  const int fd = d.dir == Dir::c2s ? server_fd_ : client_fd_;
  const ssize_t rc = ::write(fd, d.bytes.data(), d.bytes.size());
  if (rc < 0) {
    const int error = errno;
    stats_.send_errors++;
    link_.send_failed(d, errno_name(error));
    return;
  }
  (d.dir == Dir::c2s ? stats_.sent_c2s : stats_.sent_s2c)++;
  link_.sent(d, handed_us);
}

void L3Relay::flush_due() {
  const std::int64_t now = std::max(now_us(), last_fed_us_);
  last_fed_us_ = now;
  link_.on_time(now);
  while (auto d = link_.pop_due(now)) send(*d);
}

int L3Relay::poll_timeout_ms(int cap_ms) const { return wire::poll_timeout_ms(link_.next_due_us(), now_us(), cap_ms); }

bool run_relay_until(L3Relay& relay, const std::function<bool()>& done, std::int64_t deadline_us) {
  return run_edge_until(relay, done, deadline_us);
}

}  // namespace wireproof::wire
