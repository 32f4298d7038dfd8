// End to end: a real OpenSSL 3.0 DTLS 1.2 handshake (s_client <-> s_server
// -listen) through UdpRelay, with the server's flight 4 dropped once. The
// wire must see flights 1..6, the dropped flight retransmitted (and flagged so
// by the FlightTracker), and the handshake finish. Skipped without `openssl`.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "harness/wire/link_test_support.hpp"
#include "harness/wire/udp_relay.hpp"

namespace bp = boost::process;
using namespace wireproof;
using namespace wireproof::wire;
using namespace wireproof::wire::testing;

namespace {

// A free UDP port on 127.0.0.1 (bound, read, released) for s_server -accept.
std::uint16_t free_udp_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

}  // namespace

TEST(UdpRelayOpenSsl, DroppedServerFlightIsRetransmittedAndHandshakeCompletes) {
  const auto openssl = bp::search_path("openssl");
  if (openssl.empty()) GTEST_SKIP() << "openssl not on PATH";
  const auto dir = std::filesystem::temp_directory_path() /
                   ("wp_relay_openssl_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto key = (dir / "key.pem").string(), cert = (dir / "cert.pem").string();
  ASSERT_EQ(bp::system(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                       "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                       bp::std_out > bp::null, bp::std_err > bp::null),
            0);

  scenario::Scenario sc;
  scenario::Match flight4;
  flight4.flight = 4;
  sc.rules = {rule("drop-server-flight", scenario::Drop{}, flight4, scenario::Direction::s2c)};
  sc.rules[0].count = 1;
  Harness h(sc);

  const auto port = free_udp_port();
  UdpRelay relay(h.link, port);
  bp::opstream server_in, client_in;
  bp::child server(openssl, "s_server", "-dtls1_2", "-listen", "-accept", "127.0.0.1:" + std::to_string(port),
                   "-cert", cert, "-key", key, "-naccept", "1", bp::std_in < server_in, bp::std_out > bp::null,
                   bp::std_err > bp::null);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let s_server bind
  bp::child client(openssl, "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + std::to_string(relay.client_port()),
                   "-CAfile", cert, bp::std_in < client_in, bp::std_out > bp::null, bp::std_err > bp::null);

  auto saw_flight_6 = [&] {
    for (auto* d : h.datagrams())
      if (d->flight == 6 && d->fate == "forwarded") return true;
    return false;
  };
  // OpenSSL's retransmission timer starts at 1 s; 15 s is a generous bound.
  const bool done = run_relay_until(relay, saw_flight_6, relay.now_us() + 15'000'000);
  client.terminate();
  server.terminate();
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(done) << "no server flight 6 within 15 s; datagrams seen: " << h.datagrams().size();

  bool dropped_first = false, retransmitted = false;
  int max_flight = 0;
  for (auto* d : h.datagrams()) {
    EXPECT_FALSE(d->malformed) << *d->malformed;
    if (d->flight) max_flight = std::max(max_flight, *d->flight);
    if (d->flight == 4 && d->fate == "dropped") dropped_first = !retransmitted;
    if (d->flight == 4 && d->retransmission && d->fate == "forwarded") retransmitted = true;
  }
  EXPECT_TRUE(dropped_first);
  EXPECT_TRUE(retransmitted);
  EXPECT_EQ(max_flight, 6);
  EXPECT_EQ(h.link.totals().dropped, 1u);
}
