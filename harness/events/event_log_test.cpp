#include <gtest/gtest.h>

#include <sstream>

#include "harness/events/event_log.hpp"
#include "harness/events/event_writer.hpp"

using namespace wireproof::events;

TEST(EventLog, DatagramRoundTrips) {
  Datagram d;
  d.i = 3;
  d.dir = "s2c";
  d.t_us = 1234;
  d.size = 2;
  d.ip_size = 30;
  d.mtu = 1500;
  d.payload = {0x16, 0xfe};
  Record r;
  r.type = 22;
  r.version = 0xfefd;
  r.hs = HandshakeHeader{2, "server_hello", 80, 1, 0, 80};
  d.records.push_back(r);
  d.flight = 4;
  d.fate = "dropped";
  d.actions.push_back({"drop-it", "drop", ""});
  std::stringstream ss;
  write_jsonl_line(ss, d);
  auto log = read_jsonl(ss);
  ASSERT_EQ(log.events.size(), 1u);
  const auto& back = std::get<Datagram>(log.events[0]);
  EXPECT_EQ(back.payload, d.payload);
  EXPECT_EQ(back.records.at(0).hs->name, "server_hello");
  EXPECT_EQ(back.flight, 4);
  EXPECT_EQ(back.fate, "dropped");
  EXPECT_EQ(back.actions.at(0).rule, "drop-it");
}

TEST(EventLog, BadLineNamesTheLine) {
  std::stringstream ss("{\"kind\":\"peer\",\"i\":0,\"t_us\":0,\"role\":\"client\",\"event\":{}}\n{oops\n");
  try {
    read_jsonl(ss, "x.jsonl");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("x.jsonl:2:"), std::string::npos) << e.what();
  }
}

TEST(Hex, RejectsBadDigits) {
  EXPECT_THROW(from_hex("0g"), std::runtime_error);
  EXPECT_THROW(from_hex("abc"), std::runtime_error);
  EXPECT_EQ(from_hex("00ff"), (std::vector<std::uint8_t>{0, 255}));
}

TEST(EventLog, L3LayersRoundTrip) {
  Datagram d;
  d.dir = "c2s";
  d.size = 0;
  d.ip_size = 60;
  d.ip = IpLayer{4, "198.18.0.1", "198.18.0.2", 6, 64, true, 20};
  TcpLayer t;
  t.src_port = 40000;
  t.dst_port = 5000;
  t.seq = 4000000000u;
  t.flags = tcp_flags::syn | tcp_flags::ack;
  t.window = 64240;
  t.mss = 1460;
  t.window_scale = 7;
  t.sack_permitted = true;
  t.sack = {{10, 20}};
  t.ts_val = 99;
  t.ts_ecr = 0;
  d.tcp = t;
  d.packet = {0x45, 0x00};
  d.origin = "wire";
  IcmpLayer ic;
  ic.type = 3;
  ic.code = 4;
  ic.mtu = 1280;
  ic.quoted_tcp_seq = 7;
  d.icmp = ic;
  std::stringstream ss;
  write_jsonl_line(ss, d);
  const auto back = std::get<Datagram>(read_jsonl(ss).events.at(0));
  ASSERT_TRUE(back.ip && back.tcp && back.icmp);
  EXPECT_EQ(back.ip->dst, "198.18.0.2");
  EXPECT_EQ(back.tcp->seq, 4000000000u);
  EXPECT_TRUE(back.tcp->has(tcp_flags::syn) && back.tcp->has(tcp_flags::ack) && !back.tcp->has(tcp_flags::fin));
  EXPECT_EQ(back.tcp->seq_length(), 1u);
  EXPECT_EQ(back.tcp->mss, 1460);
  EXPECT_EQ(back.tcp->window_scale, 7);
  EXPECT_EQ(back.tcp->sack.at(0).second, 20u);
  EXPECT_EQ(back.tcp->ts_ecr, 0u);
  EXPECT_EQ(back.icmp->mtu, 1280u);
  EXPECT_TRUE(back.icmp->is_frag_needed());
  EXPECT_EQ(back.packet, d.packet);
  EXPECT_EQ(back.origin, "wire");
  EXPECT_EQ(tcp_flags_text(back.tcp->flags), "SYN|ACK");
}

TEST(EventLog, RelayModeLinesCarryNoL3Fields) {
  Datagram d;
  d.payload = {1};
  const auto j = to_json(Event{d});
  for (const char* key : {"ip", "tcp", "icmp", "packet_hex", "origin"}) EXPECT_FALSE(j.contains(key)) << key;
}

TEST(EventLog, UnknownTcpFlagIsAnError) {
  std::stringstream ss(
      R"({"kind":"datagram","i":0,"dir":"c2s","t_us":0,"size":0,"tcp":{"src_port":1,"dst_port":2,"seq":0,"ack":0,"flags":["syn","bogus"],"window":0,"payload_length":0}})"
      "\n");
  EXPECT_THROW(read_jsonl(ss), std::runtime_error);
}

TEST(EventWriter, WritesEveryEventInOrderByClose) {
  std::stringstream ss;
  {
    EventWriter w(ss);
    for (std::uint64_t k = 0; k < 2000; ++k) {
      PeerEvent p;
      p.i = k;
      p.role = "client";
      p.event = {{"event", "tick"}};
      w.add(p);
    }
    w.close();
    const auto log = read_jsonl(ss);
    ASSERT_EQ(log.events.size(), 2000u);
    for (std::uint64_t k = 0; k < 2000; ++k) EXPECT_EQ(std::get<PeerEvent>(log.events[k]).i, k);
  }  // a second close (the destructor) does nothing
}

// A bound far below what is added: the writer drains at normal priority each
// time the queue passes it, and still writes every event, in order.
TEST(EventWriter, ABoundedQueueWritesEverythingInOrder) {
  std::stringstream ss;
  EventWriter w(ss, 8 * 1024);
  for (std::uint64_t k = 0; k < 3000; ++k) {
    Datagram d;
    d.i = k;
    d.dir = "c2s";
    d.payload.assign(1000, static_cast<std::uint8_t>(k));
    w.add(d);
  }
  w.close();
  EXPECT_GE(w.times_bound_reached(), 1u);
  const auto log = read_jsonl(ss);
  ASSERT_EQ(log.events.size(), 3000u);
  for (std::uint64_t k = 0; k < 3000; ++k) {
    const auto& d = std::get<Datagram>(log.events[k]);
    EXPECT_EQ(d.i, k);
    EXPECT_EQ(d.payload, std::vector<std::uint8_t>(1000, static_cast<std::uint8_t>(k)));
  }
}

// write_jsonl_line writes a datagram's hex digits straight to the stream; the
// line must still be exactly to_json(e).dump(), whatever the strings around
// them hold (text that looks like the hex fields' keys included).
TEST(EventLog, JsonlLineIsExactlyTheDumpedJson) {
  Datagram relay;
  relay.dir = "c2s";
  relay.payload = {0x16, 0xfe, 0xfd};
  relay.malformed = R"(x","hex":"" "packet_hex":"")";
  relay.actions.push_back({"r\"hex\":\"\"", "corrupt", "caf\xc3\xa9\n\x01"});
  Datagram l3 = relay;
  l3.payload.clear();  // a bare ACK: "hex" is ""
  l3.packet.assign(1500, 0xab);
  l3.delivered = {{}, {0x45, 0x00}};
  l3.deliveries_us = {1, 2};
  l3.ip = IpLayer{6, "2001:db8::1", "2001:db8::2", 6, 64, true, 40};
  l3.origin = "wire";
  Datagram big;
  big.payload.assign(1448, 0x5a);  // crosses write_hex's chunk size
  big.packet.assign(1500, 0x01);
  for (const Event& e : {Event{relay}, Event{l3}, Event{big}, Event{Datagram{}},
                         Event{PeerEvent{1, 2, "client", {{"hex", ""}}}}}) {
    std::stringstream ss;
    write_jsonl_line(ss, e);
    EXPECT_EQ(ss.str(), to_json(e).dump() + "\n");
  }
}

// With Keep::written the writer hands back every event it wrote, in order, unchanged.
TEST(EventWriter, KeepWrittenHandsBackTheEventsWritten) {
  std::stringstream ss;
  EventWriter w(ss, EventWriter::kDefaultMaxQueuedBytes, EventWriter::Keep::written);
  for (std::uint64_t k = 0; k < 300; ++k) {
    Datagram d;
    d.i = k;
    d.payload.assign(k % 7, static_cast<std::uint8_t>(k));
    w.add(std::move(d));
  }
  const auto kept = w.take_written();
  ASSERT_EQ(kept.size(), 300u);
  std::string lines;
  for (const auto& e : kept) lines += to_json(e).dump() + "\n";
  EXPECT_EQ(lines, ss.str());
  EXPECT_TRUE(w.take_written().empty());
}
