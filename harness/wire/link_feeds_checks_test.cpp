// The wire's log as the checks read it: a delivery that never happened (a
// refused send, a datagram still held when the run ended) must not be there
// for a check to act on.
#include <gtest/gtest.h>

#include "harness/checks/support/transmissions.hpp"
#include "harness/wire/link_test_support.hpp"

using namespace wireproof;
using namespace wireproof::wire;
using namespace wireproof::wire::testing;

namespace {

events::EventLog log_of(const Harness& h) { return events::EventLog{h.log}; }

const checks::support::FlightSeries* series(const std::vector<checks::support::FlightSeries>& all,
                                            const std::string& dir, int flight) {
  for (const auto& s : all)
    if (s.dir == dir && s.flight == flight) return &s;
  return nullptr;
}

}  // namespace

// The server's answer to the ClientHello was refused by the kernel. The
// client's resend 10 ms later is its timer firing, not an answer to a
// datagram it never received. Before the relay reported failed sends, the log
// showed the refused datagram delivered at its planned time, and the resend
// was classed as a response (and skipped by retransmission_schedule).
TEST(LinkFeedsChecks, AResendAfterARefusedSendIsNotAResponseToIt) {
  Harness h(scenario::Scenario{});
  h.send(Dir::c2s, client_hello(), 0);
  h.drain(0);
  h.link.on_datagram(Dir::s2c, server_flight(), 50'000);
  auto refused = h.link.pop_due(50'000);
  ASSERT_TRUE(refused);
  h.link.send_failed(*refused, "ECONNREFUSED");
  h.send(Dir::c2s, client_hello(1), 60'000);
  h.drain(60'000);
  h.link.finish(70'000);

  const auto log = log_of(h);
  const auto all = checks::support::flight_series(log, {});
  const auto* hello = series(all, "c2s", 1);
  ASSERT_NE(hello, nullptr);
  ASSERT_EQ(hello->transmissions.size(), 2u);
  EXPECT_EQ(hello->transmissions[1].kind, checks::support::Transmission::Kind::timer);
  EXPECT_FALSE(hello->transmissions[1].trigger_i);
}

// The same with a server datagram still held for reordering when the run
// ended: it was never delivered, so nothing at the end answers it.
TEST(LinkFeedsChecks, ADatagramHeldAtTheEndIsNoTrigger) {
  scenario::Scenario sc;
  sc.rules = {rule("hold-server", scenario::Reorder{5, 10'000}, {}, scenario::Direction::s2c)};
  Harness h(sc);
  h.send(Dir::c2s, client_hello(), 0);
  h.drain(0);
  h.send(Dir::s2c, server_flight(), 50'000);
  h.send(Dir::c2s, client_hello(1), 60'000);
  h.drain(60'000);
  h.link.finish(60'000);  // old wire: "delivered" the held flight at 60 000, just before the resend's t_us

  const auto all = checks::support::flight_series(log_of(h), {});
  const auto* hello = series(all, "c2s", 1);
  ASSERT_NE(hello, nullptr);
  ASSERT_EQ(hello->transmissions.size(), 2u);
  EXPECT_EQ(hello->transmissions[1].kind, checks::support::Transmission::Kind::timer);
}
