#include "harness/capture/pcapng_writer.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "impl/bytes/reader.hpp"

namespace wireproof::capture {
namespace {

using events::Action;
using events::Datagram;
using events::EventLog;
using events::LinkChange;

Datagram dgram(std::uint64_t i, std::string dir, std::int64_t t, std::vector<std::int64_t> deliveries,
               std::vector<std::uint8_t> payload = {0x16, 0xfe, 0xfd, 1, 2, 3}) {
  Datagram d;
  d.i = i;
  d.dir = std::move(dir);
  d.t_us = t;
  d.size = payload.size();
  d.ip_size = d.size + 28;
  d.mtu = 1500;
  d.payload = std::move(payload);
  d.deliveries_us = std::move(deliveries);
  return d;
}

// A log with every kind of fate: forwarded, dropped, duplicated, delayed, and an MTU change.
EventLog sample_log() {
  EventLog log;
  auto a = dgram(0, "c2s", 1000, {1030});
  a.flight = 1;
  log.events.push_back(a);
  auto b = dgram(1, "s2c", 2000, {});
  b.flight = 4;
  b.retransmission = true;
  b.fate = "dropped";
  b.actions.push_back(Action{"drop-server-flight", "drop", "match 1"});
  log.events.push_back(b);
  log.events.push_back(LinkChange{2, 2500, "mtu", "", 576, "at 2 ms"});
  auto c = dgram(3, "c2s", 3000, {3020, 3040}, std::vector<std::uint8_t>(101, 0xab));  // odd length: checksum pad
  c.mtu = 576;
  c.actions.push_back(Action{"dup", "duplicate", "copies 1"});
  log.events.push_back(c);
  auto d = dgram(4, "s2c", 4000, {204000});
  d.actions.push_back(Action{"slow", "delay", "200 ms"});
  log.events.push_back(d);
  log.events.push_back(dgram(5, "c2s", 5000, {5025}));
  return log;
}

std::uint32_t ones_sum(std::span<const std::uint8_t> b, std::uint32_t acc = 0) {
  for (std::size_t k = 0; k + 1 < b.size(); k += 2) acc += static_cast<std::uint32_t>(b[k] << 8 | b[k + 1]);
  if (b.size() % 2) acc += static_cast<std::uint32_t>(b.back() << 8);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}

TEST(Ipv4Udp, HeadersAndChecksumsVerify) {
  const Endpoint src{{127, 0, 0, 1}, 1111}, dst{{127, 0, 0, 2}, 2222};
  const std::vector<std::uint8_t> payload{1, 2, 3, 4, 5};
  const auto p = ipv4_udp(src, dst, 7, payload);
  ASSERT_EQ(p.size(), 20u + 8u + payload.size());
  EXPECT_EQ(p[0], 0x45);
  EXPECT_EQ((p[2] << 8 | p[3]), static_cast<int>(p.size()));
  EXPECT_EQ(p[9], 17);
  EXPECT_EQ(ones_sum(std::span(p).first(20)), 0xffffu);  // a correct header sums to all ones
  EXPECT_EQ((p[20] << 8 | p[21]), 1111);
  EXPECT_EQ((p[22] << 8 | p[23]), 2222);
  EXPECT_EQ((p[24] << 8 | p[25]), 8 + static_cast<int>(payload.size()));
  // UDP: pseudo-header + UDP header + data sums to all ones too.
  std::uint32_t pseudo = ones_sum(std::span(p).subspan(12, 8)) + 17 + (8 + payload.size());
  EXPECT_EQ(ones_sum(std::span(p).subspan(20), pseudo), 0xffffu);
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), p.begin() + 28));
}

TEST(CapturePackets, BothLegsInTimeOrderWithComments) {
  const CaptureEndpoints ep;
  const auto pk = capture_packets(sample_log(), ep);
  // arrivals: 5; deliveries: 1 + 0 + 2 + 1 + 1
  ASSERT_EQ(pk.size(), 10u);
  for (std::size_t k = 1; k < pk.size(); ++k) EXPECT_LE(pk[k - 1].t_us, pk[k].t_us);
  EXPECT_EQ(pk.back().t_us, 204000);  // the delayed delivery comes after the later datagram #5
  EXPECT_NE(pk.back().comment.find("delayed 200.0 ms"), std::string::npos) << pk.back().comment;

  auto find = [&](std::string_view needle) {
    for (const auto& p : pk)
      if (p.comment.find(needle) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(find("c2s #0 flight 1; sender -> wire"));
  EXPECT_TRUE(find("s2c #1 flight 4 retransmission; sender -> wire; dropped by rule drop-server-flight (match 1)"));
  EXPECT_TRUE(find("duplicate copy 2 of 2"));
  EXPECT_TRUE(find("link mtu 576"));
  EXPECT_TRUE(find("after link mtu -> 576 (at 2 ms)"));

  // leg 1 of c2s goes client -> wire (client side); leg 2 goes wire (server side) -> server.
  const auto& leg1 = pk[0].ip;
  const auto& leg2 = pk[1].ip;
  EXPECT_EQ((leg1[20] << 8 | leg1[21]), ep.client.port);
  EXPECT_EQ((leg1[22] << 8 | leg1[23]), ep.wire_client_side.port);
  EXPECT_EQ((leg2[20] << 8 | leg2[21]), ep.wire_server_side.port);
  EXPECT_EQ((leg2[22] << 8 | leg2[23]), ep.server.port);
  EXPECT_EQ(leg2[15], 2);  // 127.0.0.2
}

struct Block {
  std::uint32_t type;
  std::span<const std::uint8_t> body;
};

// Parses the blocks back with the bounded Reader; fails the test on any inconsistency.
std::vector<Block> blocks(const std::string& file) {
  std::vector<Block> out;
  bytes::Reader r(std::span(reinterpret_cast<const std::uint8_t*>(file.data()), file.size()));
  while (!r.empty()) {
    std::uint32_t type = 0, len = 0, len2 = 0;
    std::span<const std::uint8_t> body;
    EXPECT_TRUE(r.get_u32(type) && r.get_u32(len));
    EXPECT_EQ(len % 4, 0u);
    EXPECT_TRUE(len >= 12 && r.get_bytes(len - 12, body) && r.get_u32(len2));
    EXPECT_EQ(len, len2);
    if (len != len2 || len < 12) break;
    out.push_back({type, body});
  }
  return out;
}

TEST(WritePcapng, BlocksParseBack) {
  const auto log = sample_log();
  CaptureEndpoints ep;
  ep.t0_unix_us = 1'700'000'000'000'000;
  std::ostringstream os;
  write_pcapng(log, ep, os);
  const std::string file = os.str();  // the blocks' spans point into it
  const auto bs = blocks(file);
  const auto packets = capture_packets(log, ep);
  ASSERT_EQ(bs.size(), 2 + packets.size());
  EXPECT_EQ(bs[0].type, 0x0A0D0D0Au);
  bytes::Reader shb(bs[0].body);
  std::uint32_t magic = 0;
  ASSERT_TRUE(shb.get_u32(magic));
  EXPECT_EQ(magic, 0x1A2B3C4Du);
  EXPECT_EQ(bs[1].type, 1u);
  bytes::Reader idb(bs[1].body);
  std::uint16_t linktype = 0;
  ASSERT_TRUE(idb.get_u16(linktype));
  EXPECT_EQ(linktype, 228);
  for (std::size_t k = 0; k < packets.size(); ++k) {
    const auto& b = bs[2 + k];
    EXPECT_EQ(b.type, 6u);
    bytes::Reader epb(b.body);
    std::uint32_t iface = 9, hi = 0, lo = 0, cap = 0, orig = 0;
    ASSERT_TRUE(epb.get_u32(iface) && epb.get_u32(hi) && epb.get_u32(lo) && epb.get_u32(cap) && epb.get_u32(orig));
    EXPECT_EQ(iface, 0u);
    EXPECT_EQ((std::uint64_t{hi} << 32 | lo), static_cast<std::uint64_t>(ep.t0_unix_us + packets[k].t_us));
    EXPECT_EQ(cap, packets[k].ip.size());
    EXPECT_EQ(orig, cap);
    std::span<const std::uint8_t> data;
    ASSERT_TRUE(epb.get_bytes((cap + 3) / 4 * 4, data));
    EXPECT_TRUE(std::equal(packets[k].ip.begin(), packets[k].ip.end(), data.begin()));
    std::uint16_t code = 0, olen = 0;
    ASSERT_TRUE(epb.get_u16(code) && epb.get_u16(olen));
    EXPECT_EQ(code, 1);  // opt_comment
    std::span<const std::uint8_t> text;
    ASSERT_TRUE(epb.get_bytes(olen, text));
    EXPECT_EQ(std::string(text.begin(), text.end()), packets[k].comment);
  }
}

// An L3 log: the packets themselves, each leg on its side's interface.
TEST(CapturePackets, L3LogCarriesTheRealPacketsOnTheSidesInterfaces) {
  events::EventLog log;
  events::Datagram big;  // c2s, too big: dropped, answered by the wire
  big.i = 0;
  big.dir = "c2s";
  big.t_us = 1000;
  big.packet = {0x45, 1, 2, 3};
  big.fate = "dropped";
  big.actions.push_back({"link", "mtu", "ip_size 1500 > mtu 1280; ICMP frag-needed mtu 1280 sent"});
  events::Datagram icmp;  // the wire's answer, delivered to the client's side
  icmp.i = 1;
  icmp.dir = "s2c";
  icmp.t_us = 1000;
  icmp.origin = "wire";
  icmp.packet = {0x45, 9, 9};
  icmp.deliveries_us = {1010};
  events::Datagram ack;  // s2c, delivered twice
  ack.i = 2;
  ack.dir = "s2c";
  ack.t_us = 2000;
  ack.packet = {0x45, 7};
  ack.deliveries_us = {2005, 2300};
  ack.delivered = {{}, {0x45, 8}};  // the second copy left altered (corrupted, fragmented, rewritten)
  log.events = {big, icmp, ack};
  ASSERT_TRUE(is_l3_log(log));
  const auto pk = capture_packets(log, {});
  ASSERT_EQ(pk.size(), 5u);  // big: leg 1 only; icmp: leg 2 only; ack: 1 + 2
  EXPECT_EQ(pk[0].ip, big.packet);
  EXPECT_EQ(pk[0].interface, 0u);
  EXPECT_NE(pk[0].comment.find("dropped by link mtu"), std::string::npos) << pk[0].comment;
  EXPECT_EQ(pk[1].ip, icmp.packet);
  EXPECT_EQ(pk[1].interface, 0u);  // towards the client
  EXPECT_EQ(pk[1].t_us, 1010);
  EXPECT_NE(pk[1].comment.find("crafted by the wire"), std::string::npos) << pk[1].comment;
  EXPECT_EQ(pk[2].interface, 1u);  // the ack arriving from the server
  EXPECT_EQ(pk[3].interface, 0u);
  EXPECT_EQ(pk[4].interface, 0u);
  EXPECT_EQ(pk[3].ip, ack.packet);
  EXPECT_EQ(pk[4].ip, std::vector<std::uint8_t>({0x45, 8}));  // as it was delivered, not as it arrived

  std::ostringstream os;
  write_pcapng(log, {}, os);
  const std::string file = os.str();
  const auto bs = blocks(file);
  ASSERT_EQ(bs.size(), 3 + pk.size());  // SHB, two IDBs, the packets
  for (int k : {1, 2}) {
    EXPECT_EQ(bs[k].type, 1u);
    bytes::Reader idb(bs[k].body);
    std::uint16_t linktype = 0;
    ASSERT_TRUE(idb.get_u16(linktype));
    EXPECT_EQ(linktype, 101);  // LINKTYPE_RAW
  }
  bytes::Reader epb(bs[3 + 2].body);
  std::uint32_t iface = 9;
  ASSERT_TRUE(epb.get_u32(iface));
  EXPECT_EQ(iface, 1u);
}

}  // namespace
}  // namespace wireproof::capture

namespace wireproof::capture {
namespace {

TEST(WithTlsSecrets, ADecryptionSecretsBlockRightAfterTheSectionHeader) {
  std::ostringstream os;
  write_pcapng(sample_log(), {}, os);
  const std::string plain = os.str();
  // Two files, the first without its last newline: 41 + 1 + 40 = 82 bytes, 2 of padding.
  const std::string client = "CLIENT_RANDOM " + std::string(24, 'a') + " 01", server = "CLIENT_RANDOM " + std::string(22, 'b') + " 02\n";
  const std::string key_log = client + "\n" + server;
  const std::string file = with_tls_secrets(plain, {client, server});
  const auto before = blocks(plain), after = blocks(file);
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(after[0].type, 0x0A0D0D0Au);
  ASSERT_EQ(after[1].type, 0x0000000Au) << "the DSB comes before every interface and packet";
  bytes::Reader dsb(after[1].body);
  std::uint32_t secrets_type = 0, secrets_length = 0, end = 1;
  std::span<const std::uint8_t> secrets, padding;
  ASSERT_TRUE(dsb.get_u32(secrets_type) && dsb.get_u32(secrets_length));
  EXPECT_EQ(secrets_type, 0x544c534bu) << "TLSK";
  ASSERT_EQ(secrets_length, key_log.size());
  ASSERT_TRUE(dsb.get_bytes(secrets_length, secrets) && dsb.get_bytes(2, padding) && dsb.get_u32(end));
  EXPECT_EQ(std::string(secrets.begin(), secrets.end()), key_log);
  EXPECT_EQ(padding[0] | padding[1], 0);
  EXPECT_EQ(end, 0u) << "opt_endofopt";
  EXPECT_TRUE(dsb.empty());
  for (std::size_t k = 1; k < before.size(); ++k) {
    EXPECT_EQ(after[k + 1].type, before[k].type);
    EXPECT_TRUE(std::equal(after[k + 1].body.begin(), after[k + 1].body.end(), before[k].body.begin(), before[k].body.end()));
  }
}

TEST(WithTlsSecrets, AnythingButThisWritersCaptureIsRefused) {
  EXPECT_THROW(with_tls_secrets("", {"x"}), std::invalid_argument);
  EXPECT_THROW(with_tls_secrets(std::string(64, '\0'), {"x"}), std::invalid_argument);
  EXPECT_EQ(with_tls_secrets("not a capture", {"", ""}), "not a capture") << "no secrets: unchanged";
  std::ostringstream os;
  write_pcapng(sample_log(), {}, os);
  EXPECT_THROW(with_tls_secrets(os.str().substr(0, 20), {"x"}), std::invalid_argument) << "a cut SHB";
}

}  // namespace
}  // namespace wireproof::capture
