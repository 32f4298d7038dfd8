#include <gtest/gtest.h>

#include <sstream>

#include "harness/events/event_log.hpp"

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
