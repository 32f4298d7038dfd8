// UdpRelay over real loopback sockets, with two plain UDP sockets as fake peers.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/wire/link_test_support.hpp"
#include "harness/wire/udp_relay.hpp"

using namespace wireproof;
using namespace wireproof::wire;
using namespace wireproof::wire::testing;

namespace {

// A plain UDP socket on 127.0.0.1, standing in for a peer.
struct FakePeer {
  UniqueFd fd{::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)};
  FakePeer() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  }
  std::uint16_t port() const {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }
  void send_to(std::uint16_t port, const Bytes& b) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::sendto(fd.get(), b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
              static_cast<ssize_t>(b.size()));
  }
  // Non-blocking receive; remembers who sent it (for replies).
  std::optional<Bytes> receive() {
    Bytes buf(65536);
    socklen_t len = sizeof last_from;
    const ssize_t n = ::recvfrom(fd.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&last_from), &len);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }
  sockaddr_in last_from{};
};

constexpr std::int64_t kGenerousDeadlineUs = 5'000'000;

}  // namespace

TEST(UdpRelay, RelaysBothWaysAndLogsKernelTimestamps) {
  FakePeer client, server;
  scenario::Scenario sc;
  Harness h(sc);
  UdpRelay relay(h.link, server.port());

  client.send_to(relay.client_port(), client_hello());
  std::optional<Bytes> at_server;
  ASSERT_TRUE(run_relay_until(relay, [&] { return (at_server = server.receive()).has_value(); }, kGenerousDeadlineUs));
  EXPECT_EQ(*at_server, client_hello());

  // The server replies to whoever sent it the datagram: the relay's server-facing socket.
  server.send_to(ntohs(server.last_from.sin_port), server_flight());
  std::optional<Bytes> at_client;
  ASSERT_TRUE(run_relay_until(relay, [&] { return (at_client = client.receive()).has_value(); },
                              relay.now_us() + kGenerousDeadlineUs));
  EXPECT_EQ(*at_client, server_flight());
  EXPECT_EQ(ntohs(client.last_from.sin_port), relay.client_port());

  auto ds = h.datagrams();
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0]->dir, "c2s");
  EXPECT_EQ(ds[1]->dir, "s2c");
  EXPECT_EQ(ds[1]->flight, 2);
  EXPECT_GE(ds[0]->t_us, 0);
  EXPECT_LE(ds[0]->t_us, ds[1]->t_us);
  EXPECT_EQ(relay.stats().kernel_timestamps, 2u);
  EXPECT_EQ(relay.stats().sent_c2s, 1u);
  EXPECT_EQ(relay.stats().sent_s2c, 1u);
}

TEST(UdpRelay, AppliesTheLinkRules) {
  FakePeer client, server;
  scenario::Scenario sc;
  scenario::Match first;
  first.index = 0;
  sc.rules = {rule("drop-first", scenario::Drop{}, first, scenario::Direction::c2s),
              rule("slow", scenario::Delay{30, 0})};
  Harness h(sc);
  UdpRelay relay(h.link, server.port());
  client.send_to(relay.client_port(), app(0));
  client.send_to(relay.client_port(), app(1));
  std::optional<Bytes> got;
  ASSERT_TRUE(run_relay_until(relay, [&] { return (got = server.receive()).has_value(); }, kGenerousDeadlineUs));
  EXPECT_EQ(*got, app(1)) << "the first datagram was dropped";
  EXPECT_FALSE(server.receive());
  auto ds = h.datagrams();
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0]->fate, "dropped");
  ASSERT_EQ(ds[1]->deliveries_us.size(), 1u);
  // The real send time: not before it was due (how late depends on the shared machine).
  EXPECT_GE(ds[1]->deliveries_us[0] - ds[1]->t_us, 30000);
  EXPECT_GE(relay.now_us(), ds[1]->deliveries_us[0]);
}

TEST(UdpRelay, NoDatagramNoDelivery) {
  FakePeer server;
  Harness h(scenario::Scenario{});
  UdpRelay relay(h.link, server.port());
  EXPECT_FALSE(run_relay_until(relay, [&] { return server.receive().has_value(); }, 50'000));
  EXPECT_TRUE(h.datagrams().empty());
  EXPECT_EQ(relay.poll_timeout_ms(250), 250);
}

// A send the kernel refuses is logged as refused, with its errno, not as a
// delivery. Real refusal: the server port is closed, so the first datagram's
// ICMP port-unreachable makes the next send on the connected socket fail
// with ECONNREFUSED (the relay must not read the server side in between, or
// recvmmsg takes the error first).
TEST(UdpRelay, ARefusedSendIsLoggedWithItsErrnoAndNotDelivered) {
  std::uint16_t closed_port = 0;
  {
    FakePeer gone;
    closed_port = gone.port();
  }  // closed: nothing listens there any more
  FakePeer client;
  Harness h(scenario::Scenario{});
  UdpRelay relay(h.link, closed_port);
  const int client_side = relay.fds().at(0);
  auto feed_one = [&](const Bytes& b) {
    client.send_to(relay.client_port(), b);
    pollfd p{client_side, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 2000), 1);
    relay.on_readable(client_side);
    relay.flush_due();
  };
  feed_one(app(0));
  ASSERT_EQ(relay.stats().sent_c2s, 1u) << "the first send goes out; the ICMP error comes back later";
  ::usleep(50'000);
  feed_one(app(1));
  relay.flush_due();
  h.link.finish(relay.now_us());

  EXPECT_EQ(relay.stats().send_errors, 1u);
  auto ds = h.datagrams();
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0]->fate, "forwarded");
  ASSERT_EQ(ds[0]->deliveries_us.size(), 1u);
  EXPECT_GE(ds[0]->deliveries_us[0], ds[0]->t_us) << "the real send time, after the arrival";
  EXPECT_EQ(ds[1]->fate, "send_failed");
  EXPECT_TRUE(ds[1]->deliveries_us.empty());
  ASSERT_EQ(ds[1]->actions.size(), 1u);
  EXPECT_EQ(ds[1]->actions[0].rule, "link");
  EXPECT_EQ(ds[1]->actions[0].action, "send_failed");
  EXPECT_EQ(ds[1]->actions[0].detail, "ECONNREFUSED");
  EXPECT_EQ(h.link.totals().send_failed, 1u);
}

// A server datagram before the client is known cannot be sent anywhere.
TEST(UdpRelay, AServerDatagramBeforeAnyClientIsASendFailure) {
  FakePeer server;
  Harness h(scenario::Scenario{});
  UdpRelay relay(h.link, server.port());
  // The server writes to the relay's server-facing socket before any client datagram arrived.
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(relay.fds().at(1), reinterpret_cast<sockaddr*>(&a), &len), 0);
  server.send_to(ntohs(a.sin_port), server_flight());
  run_relay_until(relay, [&] { return relay.stats().undeliverable > 0; }, 2'000'000);
  h.link.finish(relay.now_us());
  EXPECT_EQ(relay.stats().undeliverable, 1u);
  auto ds = h.datagrams();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0]->fate, "send_failed");
  EXPECT_EQ(ds[0]->actions.at(0).detail, "no client address known yet");
}
