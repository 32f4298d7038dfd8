// The L3 wire's events.jsonl, byte for byte: crafted packets (IPv4 and IPv6
// TCP, a rewritten window, DTLS in UDP, an oversize DF packet answered with
// ICMP, a fragmented one, a peer event) through Link in L3 mode, each event
// moved to an EventWriter as the runner hands it over. The lines must equal
// testdata/logged_lines.jsonl, recorded from main at 31067e4 (before events
// were moved instead of copied and before the hex fields were written apart),
// and the events the writer keeps for judging must be the same events.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/events/event_writer.hpp"
#include "harness/wire/l3/l3_packet_test_support.hpp"
#include "harness/wire/link.hpp"
#include "harness/wire/link_test_support.hpp"

namespace wireproof::wire {
namespace {

std::string golden() {
  std::ifstream in(std::string(WP_L3_TESTDATA) + "/logged_lines.jsonl");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The crafted traffic; every copy is reported sent at its due time.
void log_crafted_packets(const EventSink& sink) {
  scenario::Scenario sc;
  sc.name = "logged-lines";
  sc.wire = scenario::Wire::l3;
  sc.link.mtu = 1280;
  sc.link.icmp = true;
  sc.rules = {testing::rule("win", scenario::RewriteWindow{1000}, {}, scenario::Direction::s2c)};
  Link link(sc, 3, sink);
  auto send_due = [&](std::int64_t now) {
    while (auto d = link.pop_due(now)) link.sent(*d, d->due_us + 1);
  };
  link.on_datagram(Dir::c2s, l3::test::tcp_packet(4, 100), 10);
  send_due(10);
  link.on_datagram(Dir::s2c, l3::test::tcp_packet(6, 0), 20);
  send_due(20);
  link.on_datagram(Dir::c2s, l3::test::udp_packet(testing::client_hello()), 30);
  send_due(30);
  link.on_datagram(Dir::c2s, l3::test::tcp_packet(4, 1400, /*df=*/true), 40);
  send_due(40);
  link.on_datagram(Dir::c2s, l3::test::tcp_packet(4, 1400, /*df=*/false, 5000), 50);
  send_due(50);
  // Strings that need escaping, and text that looks like a hex field's key.
  link.on_peer_event("client", {{"event", "note"}, {"text", "\"hex\":\"\" caf\xc3\xa9 \x01\t"}}, 60);
  link.on_datagram(Dir::c2s, l3::test::tcp_packet(4, 10, true, 6000), 70);  // never sent: the run ends
  link.finish(80);
}

TEST(LoggedLines, EventsJsonlIsByteIdenticalToTheRecordedLines) {
  const std::string expected = golden();
  ASSERT_FALSE(expected.empty()) << "testdata/logged_lines.jsonl missing";
  std::stringstream out;
  events::EventWriter writer(out, events::EventWriter::kDefaultMaxQueuedBytes, events::EventWriter::Keep::written);
  log_crafted_packets([&](events::Event&& e) { writer.add(std::move(e)); });
  const auto kept = writer.take_written();
  EXPECT_EQ(out.str(), expected);

  // The kept events are the ones written: the checks judge what the file says.
  std::string kept_lines;
  for (const auto& e : kept) kept_lines += events::to_json(e).dump() + "\n";
  EXPECT_EQ(kept_lines, expected);
  std::stringstream reread(expected);
  EXPECT_EQ(events::read_jsonl(reread).events.size(), kept.size());
}

}  // namespace
}  // namespace wireproof::wire
