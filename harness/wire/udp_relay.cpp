#include "harness/wire/udp_relay.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "harness/wire/relay_clock.hpp"

namespace wireproof::wire {
namespace {

constexpr std::size_t kBatch = 32;             // datagrams per recvmmsg
constexpr std::size_t kMaxDatagram = 65536;    // largest UDP payload, plus one
constexpr int kSocketBufferBytes = 4 << 20;    // room for benchmark bursts

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), std::string("UdpRelay: ") + what);
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

UniqueFd udp_socket_bound_to_loopback() {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) fail("socket(AF_INET, SOCK_DGRAM)");
  const int on = 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) fail("setsockopt(SO_TIMESTAMPNS)");
  // Larger buffers are best effort: the kernel caps them at rmem_max/wmem_max.
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
  auto addr = loopback(0);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind(127.0.0.1:0)");
  return fd;
}

bool same_address(const sockaddr_in& a, const sockaddr_in& b) {
  return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

}  // namespace

struct UdpRelay::State {
  Link& link;
  UniqueFd client_side, server_side;
  std::optional<sockaddr_in> client_addr;
  RelayClock clock;
  std::int64_t last_fed_us = 0;  // keeps the times fed to the link non-decreasing
  RelayStats stats;
  // recvmmsg buffers, reused for every batch.
  std::vector<std::uint8_t> buffers = std::vector<std::uint8_t>(kBatch * kMaxDatagram);
  std::array<iovec, kBatch> iov{};
  std::array<mmsghdr, kBatch> msgs{};
  std::array<sockaddr_in, kBatch> from{};
  std::array<std::array<char, CMSG_SPACE(sizeof(timespec))>, kBatch> control{};

  explicit State(Link& l) : link(l) {}

  std::int64_t now_us() const { return clock.now_us(); }

  // Receive time of message k: the kernel's timestamp if present, else now.
  std::int64_t receive_time_us(mmsghdr& m) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&m.msg_hdr); c; c = CMSG_NXTHDR(&m.msg_hdr, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        const std::int64_t realtime_ns = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
        stats.kernel_timestamps++;
        return clock.from_realtime_ns(realtime_ns);
      }
    }
    return now_us();
  }

  void prepare_batch() {
    for (std::size_t k = 0; k < kBatch; ++k) {
      iov[k] = {buffers.data() + k * kMaxDatagram, kMaxDatagram};
      msgs[k] = {};
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_name = &from[k];
      msgs[k].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      msgs[k].msg_hdr.msg_control = control[k].data();
      msgs[k].msg_hdr.msg_controllen = control[k].size();
    }
  }

  void read_all(int fd, Dir dir) {
    for (;;) {
      prepare_batch();
      const int n = recvmmsg(fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (n < 0) {
        // ECONNREFUSED: an ICMP port-unreachable from a server not yet (or no longer) listening.
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED || errno == EINTR) return;
        fail("recvmmsg");
      }
      for (int k = 0; k < n; ++k) {
        auto& m = msgs[k];
        if (dir == Dir::c2s) {
          if (!client_addr) client_addr = from[k];
          else if (!same_address(*client_addr, from[k])) stats.foreign++;
          stats.received_c2s++;
        } else {
          stats.received_s2c++;
        }
        const std::size_t len = std::min<std::size_t>(m.msg_len, kMaxDatagram);
        const std::uint8_t* data = buffers.data() + k * kMaxDatagram;
        const std::int64_t t = std::max(receive_time_us(m), last_fed_us);
        last_fed_us = t;
        link.on_datagram(dir, std::vector<std::uint8_t>(data, data + len), t);
      }
      if (n < static_cast<int>(kBatch)) return;
    }
  }

  // Sends one delivery and tells the link what became of it: the time it was
  // handed to the socket, or the errno name of the refusal. The time is read
  // just before the call: sending wakes the receiving peer, which on a busy
  // machine often runs (and answers) before the relay gets the CPU back, so
  // a clock read after the call can postdate the answer. Read before, it is
  // never later than the hand-off, and an answer never seems to precede its
  // cause. Never before due either: that only undoes the error of the
  // REALTIME-MONOTONIC offset behind kernel receive times.
  void send(const Delivery& d) {
    const std::int64_t handed_us = std::max(now_us(), d.due_us);
    ssize_t rc;
    if (d.dir == Dir::c2s) {
      rc = ::send(server_side.get(), d.bytes.data(), d.bytes.size(), MSG_DONTWAIT);
    } else {
      if (!client_addr) {
        stats.undeliverable++;
        link.send_failed(d, "no client address known yet");
        return;
      }
      rc = ::sendto(client_side.get(), d.bytes.data(), d.bytes.size(), MSG_DONTWAIT,
                    reinterpret_cast<const sockaddr*>(&*client_addr), sizeof(sockaddr_in));
    }
    const int error = errno;
    if (rc < 0) {
      stats.send_errors++;
      link.send_failed(d, errno_name(error));
      return;
    }
    (d.dir == Dir::c2s ? stats.sent_c2s : stats.sent_s2c)++;
    link.sent(d, handed_us);
  }
};

UdpRelay::UdpRelay(Link& link, std::uint16_t server_port) : s_(std::make_unique<State>(link)) {
  s_->client_side = udp_socket_bound_to_loopback();
  s_->server_side = udp_socket_bound_to_loopback();
  auto server = loopback(server_port);
  if (::connect(s_->server_side.get(), reinterpret_cast<sockaddr*>(&server), sizeof server) != 0)
    fail("connect(server-facing socket to 127.0.0.1:server_port)");
}

UdpRelay::~UdpRelay() = default;

std::uint16_t UdpRelay::client_port() const {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (getsockname(s_->client_side.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) fail("getsockname");
  return ntohs(a.sin_port);
}

std::vector<int> UdpRelay::fds() const { return {s_->client_side.get(), s_->server_side.get()}; }

void UdpRelay::on_readable(int fd) {
  if (fd == s_->client_side.get()) s_->read_all(fd, Dir::c2s);
  else if (fd == s_->server_side.get()) s_->read_all(fd, Dir::s2c);
}

void UdpRelay::flush_due() {
  const std::int64_t now = std::max(s_->now_us(), s_->last_fed_us);
  s_->last_fed_us = now;
  s_->link.on_time(now);
  while (auto d = s_->link.pop_due(now)) s_->send(*d);
}

std::int64_t UdpRelay::now_us() const { return s_->now_us(); }

std::optional<std::int64_t> UdpRelay::next_due_us() const { return s_->link.next_due_us(); }

int UdpRelay::poll_timeout_ms(int cap_ms) const {
  return wire::poll_timeout_ms(s_->link.next_due_us(), s_->now_us(), cap_ms);
}

const RelayStats& UdpRelay::stats() const { return s_->stats; }

bool run_relay_until(UdpRelay& relay, const std::function<bool()>& done, std::int64_t deadline_us) {
  return run_edge_until(relay, done, deadline_us);
}

}  // namespace wireproof::wire
