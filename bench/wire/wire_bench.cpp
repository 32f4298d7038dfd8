// wire_bench: what does the UDP relay cost? In one run, on loopback:
//  (a) ping-pong round trips direct vs through UdpRelay (no rules): added
//      latency p50/p99 in microseconds and the p50 ratio;
//  (b) one-way throughput of 1200-byte datagrams direct vs through the relay.
// Ratios against a baseline measured in the same run, because these machines
// are shared and noisy. Bounded: each phase stops at a count or a time budget.
// Prints a table and one JSON line.
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/bench_stats.hpp"
#include "harness/wire/link.hpp"
#include "harness/wire/udp_relay.hpp"
#include "harness/wire/unique_fd.hpp"

using namespace wireproof;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPingPongs = 3000;                       // per mode
constexpr auto kPingBudget = std::chrono::milliseconds(1500);
constexpr std::size_t kPingBytes = 100;
constexpr std::size_t kBlastBytes = 1200;
constexpr auto kBlastBudget = std::chrono::milliseconds(1000);

wire::UniqueFd udp_socket() {
  wire::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind failed");
  const int buf = 4 << 20;
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  timeval tv{0, 200000};  // 200 ms: receive loops notice the end of a phase
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

void connect_to(int fd, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect failed");
}

// A relay with an empty scenario, running on its own thread until stopped.
struct RelayThread {
  explicit RelayThread(std::uint16_t server_port)
      : link(scenario, 1, [this](const events::Event&) { ++events; }), relay(link, server_port) {
    thread = std::thread([this] {
      wire::run_relay_until(relay, [this] { return stop.load(); }, std::int64_t{1} << 60);
    });
  }
  ~RelayThread() {
    stop = true;
    thread.join();
  }
  scenario::Scenario scenario;
  std::uint64_t events = 0;
  wire::Link link;
  wire::UdpRelay relay;
  std::atomic<bool> stop{false};
  std::thread thread;
};

using bench::Percentiles;
using bench::percentiles;

// Round trips from `client` (connected to `target_port`) to an echo server.
Percentiles ping_pong(bool through_relay) {
  auto echo = udp_socket();
  auto client = udp_socket();
  std::atomic<bool> done{false};
  std::thread echo_thread([&] {
    std::vector<std::uint8_t> buf(65536);
    while (!done) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = recvfrom(echo.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0) sendto(echo.get(), buf.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  });
  std::unique_ptr<RelayThread> relay;
  if (through_relay) relay = std::make_unique<RelayThread>(port_of(echo.get()));
  connect_to(client.get(), through_relay ? relay->relay.client_port() : port_of(echo.get()));

  std::vector<std::uint8_t> out(kPingBytes, 0x17), in(65536);
  std::vector<double> rtts;
  const auto end = Clock::now() + kPingBudget;
  for (int k = 0; k < kPingPongs && Clock::now() < end; ++k) {
    const auto t0 = Clock::now();
    send(client.get(), out.data(), out.size(), 0);
    if (recv(client.get(), in.data(), in.size(), 0) <= 0) continue;  // lost: no sample
    rtts.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  done = true;
  relay.reset();
  echo_thread.join();
  return percentiles(std::move(rtts));
}

struct Throughput {
  std::uint64_t sent = 0, received = 0;
  double per_second = 0;  // received datagrams per second of sending
};

// One sender blasting 1200-byte datagrams for kBlastBudget; counts what arrives.
Throughput blast(bool through_relay) {
  auto sink = udp_socket();
  auto sender = udp_socket();
  std::atomic<bool> sending_done{false};
  std::atomic<std::uint64_t> received{0};
  std::thread receiver([&] {
    std::vector<std::uint8_t> buf(kBlastBytes * 32);
    std::vector<iovec> iov(32);
    std::vector<mmsghdr> msgs(32);
    for (;;) {
      for (std::size_t k = 0; k < 32; ++k) {
        iov[k] = {buf.data() + k * kBlastBytes, kBlastBytes};
        msgs[k] = {};
        msgs[k].msg_hdr.msg_iov = &iov[k];
        msgs[k].msg_hdr.msg_iovlen = 1;
      }
      const int n = recvmmsg(sink.get(), msgs.data(), 32, 0, nullptr);
      if (n > 0) received += static_cast<std::uint64_t>(n);
      else if (sending_done) break;  // timed out after the sender stopped: drained
    }
  });
  std::unique_ptr<RelayThread> relay;
  if (through_relay) relay = std::make_unique<RelayThread>(port_of(sink.get()));
  connect_to(sender.get(), through_relay ? relay->relay.client_port() : port_of(sink.get()));

  std::vector<std::uint8_t> payload(kBlastBytes, 0x17);
  Throughput t;
  const auto start = Clock::now();
  const auto end = start + kBlastBudget;
  while (Clock::now() < end) {
    for (int k = 0; k < 64; ++k)
      if (send(sender.get(), payload.data(), payload.size(), 0) > 0) ++t.sent;
    // Yield so the relay and receiver threads get the cores (2 cores shared).
    std::this_thread::yield();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let in-flight datagrams land
  sending_done = true;
  receiver.join();
  relay.reset();
  t.received = received;
  t.per_second = static_cast<double>(t.received) / seconds;
  return t;
}

}  // namespace

int main() {
  const auto direct_rtt = ping_pong(false);
  const auto relay_rtt = ping_pong(true);
  const auto direct_tp = blast(false);
  const auto relay_tp = blast(true);

  const double added_p50 = relay_rtt.p50 - direct_rtt.p50, added_p99 = relay_rtt.p99 - direct_rtt.p99;
  const double rtt_ratio = direct_rtt.p50 > 0 ? relay_rtt.p50 / direct_rtt.p50 : 0;
  const double tp_ratio = direct_tp.per_second > 0 ? relay_tp.per_second / direct_tp.per_second : 0;

  fmt::print("wire_bench: loopback UDP, direct vs through UdpRelay (empty scenario)\n");
  fmt::print("{:<34}{:>14}{:>14}{:>12}\n", "", "direct", "relay", "relay/dir");
  fmt::print("{:<34}{:>14.1f}{:>14.1f}{:>12.2f}\n", "round trip p50 (us)", direct_rtt.p50, relay_rtt.p50, rtt_ratio);
  fmt::print("{:<34}{:>14.1f}{:>14.1f}{:>12.2f}\n", "round trip p99 (us)", direct_rtt.p99, relay_rtt.p99,
             direct_rtt.p99 > 0 ? relay_rtt.p99 / direct_rtt.p99 : 0);
  fmt::print("{:<34}{:>14}{:>14}\n", "round trips measured", direct_rtt.n, relay_rtt.n);
  fmt::print("{:<34}{:>14.0f}{:>14.0f}{:>12.2f}\n", "1200 B datagrams/s received", direct_tp.per_second,
             relay_tp.per_second, tp_ratio);
  fmt::print("{:<34}{:>14}{:>14}\n", "sent / received", fmt::format("{}/{}", direct_tp.sent, direct_tp.received),
             fmt::format("{}/{}", relay_tp.sent, relay_tp.received));
  fmt::print("added round-trip latency through the relay: p50 {:.1f} us, p99 {:.1f} us\n", added_p50, added_p99);

  nlohmann::json j{
      {"bench", "wire"},
      {"latency_us", {{"direct", {{"p50", direct_rtt.p50}, {"p99", direct_rtt.p99}, {"n", direct_rtt.n}}},
                      {"relay", {{"p50", relay_rtt.p50}, {"p99", relay_rtt.p99}, {"n", relay_rtt.n}}},
                      {"added_p50", added_p50}, {"added_p99", added_p99}, {"ratio_p50", rtt_ratio}}},
      {"throughput_dps", {{"direct", direct_tp.per_second}, {"relay", relay_tp.per_second}, {"ratio", tp_ratio},
                          {"datagram_bytes", kBlastBytes}}}};
  fmt::print("{}\n", j.dump());
  return 0;
}
