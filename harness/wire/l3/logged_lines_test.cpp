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
void log_crafted_packets(const EventSink& sink, PayloadCut cut = PayloadCut::on_wire) {
  scenario::Scenario sc;
  sc.name = "logged-lines";
  sc.wire = scenario::Wire::l3;
  sc.link.mtu = 1280;
  sc.link.icmp = true;
  sc.rules = {testing::rule("win", scenario::RewriteWindow{1000}, {}, scenario::Direction::s2c)};
  Link link(sc, 3, sink, cut);
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

// The runner's Link leaves TCP and ICMP payloads to the writer's thread
// (PayloadCut::by_writer): the same lines, and the kept events whole again,
// equal to those of the Link that cuts them itself.
TEST(LoggedLines, PayloadsLeftToTheWriterGiveTheSameLinesAndWholeKeptEvents) {
  auto kept_by = [](PayloadCut cut, std::string& lines, std::size_t& pending_at_sink) {
    std::stringstream out;
    events::EventWriter writer(out, events::EventWriter::kDefaultMaxQueuedBytes, events::EventWriter::Keep::written);
    log_crafted_packets(
        [&](events::Event&& e) {
          if (const auto* d = std::get_if<events::Datagram>(&e)) pending_at_sink += d->pending_payload.has_value();
          writer.add(std::move(e));
        },
        cut);
    auto kept = writer.take_written();
    lines = out.str();
    return kept;
  };
  std::string eager_lines, deferred_lines;
  std::size_t eager_pending = 0, deferred_pending = 0;
  const auto eager = kept_by(PayloadCut::on_wire, eager_lines, eager_pending);
  const auto deferred = kept_by(PayloadCut::by_writer, deferred_lines, deferred_pending);
  EXPECT_EQ(eager_pending, 0u);
  // The five TCP packets and the wire's ICMP reached the sink uncut (not the DTLS-in-UDP one).
  EXPECT_EQ(deferred_pending, 6u);
  EXPECT_EQ(deferred_lines, golden());
  EXPECT_EQ(deferred_lines, eager_lines);
  ASSERT_EQ(deferred.size(), eager.size());
  std::size_t with_payload = 0;
  for (std::size_t k = 0; k < eager.size(); ++k) {
    const auto* a = std::get_if<events::Datagram>(&eager[k]);
    const auto* b = std::get_if<events::Datagram>(&deferred[k]);
    ASSERT_EQ(a == nullptr, b == nullptr) << "event " << k;
    if (!a) continue;
    EXPECT_FALSE(b->pending_payload) << "event " << k << " kept uncut";
    EXPECT_EQ(b->payload, a->payload) << "event " << k;
    with_payload += !a->payload.empty();
  }
  EXPECT_GE(with_payload, 4u);  // the comparison saw real payloads, not only empty ones
}

}  // namespace
}  // namespace wireproof::wire
