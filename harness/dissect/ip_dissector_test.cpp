// IP dissector tests on hand-built packets. The builders below compute every
// checksum with their own naive RFC 1071 sum (not the dissector's), so a bug in
// the dissector's checksum cannot make its own tests pass.
#include "harness/dissect/ip_dissector.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/bytes/writer.hpp"

namespace wireproof::dissect {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint16_t naive_checksum(const Bytes& b) {
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < b.size(); i += 2) s += (std::uint64_t{b[i]} << 8) | (i + 1 < b.size() ? b[i + 1] : 0);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(~s & 0xffff);
}
void patch16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const Bytes kSrc4 = {198, 18, 0, 1}, kDst4 = {198, 19, 0, 2};
const Bytes kSrc6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const Bytes kDst6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

// Where the transport's checksum field is, or none for protocols without one here.
std::optional<std::size_t> checksum_at(std::uint8_t proto) {
  switch (proto) {
    case 6: return 16;
    case 17: return 6;
    case 1: case 58: return 2;
    default: return std::nullopt;
  }
}

Bytes tcp(std::uint8_t flags, const Bytes& options, const Bytes& payload, std::uint32_t seq = 1000,
          std::uint32_t ack = 0) {
  bytes::Writer w;
  w.put_u16(40000);
  w.put_u16(443);
  w.put_u32(seq);
  w.put_u32(ack);
  w.put_u16(static_cast<std::uint16_t>(((20 + options.size()) / 4) << 12 | flags));
  w.put_u16(65535);
  w.put_u16(0);  // checksum, filled by the IP builder
  w.put_u16(7);  // urgent pointer
  w.put_bytes(options);
  w.put_bytes(payload);
  return w.take();
}
Bytes udp(const Bytes& payload) {
  bytes::Writer w;
  w.put_u16(5353);
  w.put_u16(4433);
  w.put_u16(static_cast<std::uint16_t>(8 + payload.size()));
  w.put_u16(0);
  w.put_bytes(payload);
  return w.take();
}

// IPv4 around a transport; `fill_transport_checksum` false leaves it as built.
Bytes ipv4(std::uint8_t proto, Bytes body, const Bytes& options = {}, std::uint16_t flags_frag = 0x4000,
           bool fill_transport_checksum = true) {
  if (auto at = checksum_at(proto); at && fill_transport_checksum) {
    Bytes pseudo = cat(kSrc4, kDst4);
    if (proto != 1) pseudo = cat(pseudo, {0, proto, std::uint8_t(body.size() >> 8), std::uint8_t(body.size())});
    else pseudo.clear();  // ICMPv4 sums the message alone
    patch16(body, *at, naive_checksum(cat(pseudo, body)));
  }
  bytes::Writer w;
  w.put_u8(static_cast<std::uint8_t>(0x40 | (5 + options.size() / 4)));
  w.put_u8(0);
  w.put_u16(static_cast<std::uint16_t>(20 + options.size() + body.size()));
  w.put_u16(0x1234);
  w.put_u16(flags_frag);
  w.put_u8(64);
  w.put_u8(proto);
  w.put_u16(0);
  w.put_bytes(kSrc4);
  w.put_bytes(kDst4);
  w.put_bytes(options);
  Bytes out = w.take();
  patch16(out, 10, naive_checksum(out));
  return cat(out, body);
}

// IPv6 with `ext` (already-built extension headers whose chain ends in `proto`).
Bytes ipv6(std::uint8_t first_next, std::uint8_t proto, Bytes body, const Bytes& ext = {}) {
  if (auto at = checksum_at(proto)) {
    std::uint32_t len = static_cast<std::uint32_t>(body.size());
    Bytes pseudo = cat(cat(kSrc6, kDst6), {std::uint8_t(len >> 24), std::uint8_t(len >> 16), std::uint8_t(len >> 8),
                                           std::uint8_t(len), 0, 0, 0, proto});
    patch16(body, *at, naive_checksum(cat(pseudo, body)));
  }
  bytes::Writer w;
  w.put_u32(0x60000000 | 0x12345);
  w.put_u16(static_cast<std::uint16_t>(ext.size() + body.size()));
  w.put_u8(first_next);
  w.put_u8(63);
  w.put_bytes(kSrc6);
  w.put_bytes(kDst6);
  w.put_bytes(ext);
  return cat(w.take(), body);
}

const Bytes kSynOptions = {2, 4, 0x05, 0xb4,                  // MSS 1460
                           4, 2,                              // SACK permitted
                           8, 10, 0, 0, 0, 1, 0, 0, 0, 0,     // timestamps 1, 0
                           1,                                 // NOP
                           3, 3, 7,                           // window scale 7
                           30, 4, 0xab, 0xcd};                // unknown kind 30 (MPTCP), kept

TEST(IpDissector, Ipv4TcpSynWithEveryOptionKindDecodes) {
  Bytes pkt = ipv4(6, tcp(tcp_flag::syn, kSynOptions, {}));
  IpPacket p = dissect_ip(pkt);
  ASSERT_FALSE(p.malformed) << *p.malformed;
  EXPECT_EQ(p.ip.version, 4);
  EXPECT_EQ(p.ip.src.to_string(), "198.18.0.1");
  EXPECT_EQ(p.ip.dst.to_string(), "198.19.0.2");
  EXPECT_EQ(p.ip.ttl, 64);
  EXPECT_TRUE(p.ip.df);
  EXPECT_FALSE(p.ip.mf);
  EXPECT_TRUE(p.ip.header_checksum_ok);
  EXPECT_EQ(p.ip.total_length, pkt.size());
  EXPECT_EQ(p.ip.identification, 0x1234);
  ASSERT_TRUE(p.tcp);
  const TcpSegment& t = *p.tcp;
  EXPECT_EQ(t.src_port, 40000);
  EXPECT_EQ(t.dst_port, 443);
  EXPECT_EQ(t.seq, 1000u);
  EXPECT_EQ(t.flags, tcp_flag::syn);
  EXPECT_EQ(t.window, 65535);
  EXPECT_EQ(t.urgent_pointer, 7);
  EXPECT_TRUE(t.checksum_ok);
  EXPECT_EQ(t.data_offset, 11);
  EXPECT_EQ(t.mss, 1460);
  EXPECT_EQ(t.window_scale, 7);
  EXPECT_TRUE(t.sack_permitted);
  ASSERT_TRUE(t.timestamps);
  EXPECT_EQ(t.timestamps->value, 1u);
  EXPECT_EQ(t.timestamps->echo_reply, 0u);
  EXPECT_EQ(t.option_kinds, (std::vector<std::uint8_t>{2, 4, 8, 1, 3, 30}));
  ASSERT_EQ(t.unknown_options.size(), 1u);
  EXPECT_EQ(t.unknown_options[0].kind, 30);
  EXPECT_EQ(t.unknown_options[0].data, (Bytes{0xab, 0xcd}));
  EXPECT_EQ(t.payload_length, 0u);
  EXPECT_EQ(t.payload_offset, pkt.size());
}

TEST(IpDissector, EveryTcpFlagDecodesAlone) {
  for (std::uint8_t flag : {tcp_flag::fin, tcp_flag::syn, tcp_flag::rst, tcp_flag::psh, tcp_flag::ack,
                            tcp_flag::urg, tcp_flag::ece, tcp_flag::cwr}) {
    IpPacket p = dissect_ip(ipv4(6, tcp(flag, {}, {})));
    ASSERT_TRUE(p.tcp);
    EXPECT_EQ(p.tcp->flags, flag);
    EXPECT_FALSE(p.malformed);
  }
}

TEST(IpDissector, SackBlocksAndPayloadSpan) {
  Bytes opts = {1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40};
  Bytes payload = {'h', 'e', 'l', 'l', 'o'};
  Bytes pkt = ipv4(6, tcp(tcp_flag::ack | tcp_flag::psh, opts, payload, 5, 9));
  IpPacket p = dissect_ip(pkt);
  ASSERT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.tcp);
  EXPECT_EQ(p.tcp->ack, 9u);
  EXPECT_EQ(p.tcp->sack_blocks, (std::vector<SackBlock>{{10, 20}, {30, 40}}));
  ASSERT_EQ(p.tcp->payload_length, 5u);
  EXPECT_EQ(Bytes(pkt.begin() + p.tcp->payload_offset, pkt.end()), payload);
}

TEST(IpDissector, EolEndsTheOptionListAndPaddingIsIgnored) {
  Bytes opts = {2, 4, 0x02, 0x18, 0, 0xff, 0xff, 0xff};
  IpPacket p = dissect_ip(ipv4(6, tcp(tcp_flag::syn, opts, {})));
  ASSERT_FALSE(p.malformed) << *p.malformed;
  EXPECT_EQ(p.tcp->mss, 536);
  EXPECT_EQ(p.tcp->option_kinds, (std::vector<std::uint8_t>{2, 0}));
}

TEST(IpDissector, BadOptionLengthsAreMalformedNamingTheOption) {
  struct Case {
    Bytes options;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {{1, 1, 2, 0}, "tcp.option 2: length 0"},
      {{1, 1, 2, 1}, "tcp.option 2: length 1"},
      {{1, 1, 30, 9}, "tcp.option 30: length 9, 2 bytes of options left"},
      {{2, 5, 0, 0, 0, 1, 1, 1}, "tcp.option mss: length 5, expected 4"},
      {{3, 4, 7, 0}, "tcp.option window_scale: length 4, expected 3"},
      {{4, 3, 0, 1}, "tcp.option sack_permitted: length 3, expected 2"},
      {{5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1}, "tcp.option sack: length 11"},
      {{5, 2, 1, 1}, "tcp.option sack: length 2"},
      {{8, 9, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1}, "tcp.option timestamps: length 9, expected 10"},
      {{1, 1, 1, 2}, "tcp.option 2: no length byte"},  // kind as the last byte, no length
  };
  for (const auto& c : cases) {
    IpPacket p = dissect_ip(ipv4(6, tcp(tcp_flag::syn, c.options, {})));
    ASSERT_TRUE(p.malformed) << c.reason;
    EXPECT_NE(p.malformed->find(c.reason), std::string::npos) << *p.malformed << " vs " << c.reason;
    ASSERT_TRUE(p.tcp);  // what came before the fault stays
    EXPECT_EQ(p.tcp->dst_port, 443);
  }
}

TEST(IpDissector, Ipv4OptionsWidenTheHeader) {
  Bytes pkt = ipv4(6, tcp(tcp_flag::ack, {}, {1, 2, 3}), {1, 1, 1, 0});
  IpPacket p = dissect_ip(pkt);
  ASSERT_FALSE(p.malformed) << *p.malformed;
  EXPECT_EQ(p.ip.ihl, 6);
  EXPECT_EQ(p.ip.header_length, 24u);
  EXPECT_EQ(p.ip.options, (Bytes{1, 1, 1, 0}));
  ASSERT_TRUE(p.tcp);
  EXPECT_TRUE(p.tcp->checksum_ok);
  EXPECT_EQ(p.tcp->payload_length, 3u);
}

TEST(IpDissector, BadChecksumsAreFlaggedAndTheRestDecoded) {
  struct Case {
    Bytes pkt;
    std::size_t flip;
    std::string reason;
  };
  Bytes v4tcp = ipv4(6, tcp(tcp_flag::ack, {}, {9, 9}));
  Bytes v6tcp = ipv6(6, 6, tcp(tcp_flag::ack, {}, {9, 9}));
  Bytes v4udp = ipv4(17, udp({1, 2, 3}));
  Bytes v6udp = ipv6(17, 17, udp({1, 2, 3}));
  Bytes echo = {8, 0, 0, 0, 0, 1, 0, 1};
  Bytes v4icmp = ipv4(1, echo);
  Bytes v6icmp = ipv6(58, 58, {128, 0, 0, 0, 0, 1, 0, 1});
  const std::vector<Case> cases = {
      {v4tcp, 20 + 16, "tcp.checksum"}, {v6tcp, 40 + 16, "tcp.checksum"}, {v4tcp, 10, "ipv4.header_checksum"},
      {v4udp, 20 + 6, "udp.checksum"},  {v6udp, 40 + 6, "udp.checksum"},  {v4icmp, 20 + 2, "icmp.checksum"},
      {v6icmp, 40 + 2, "icmpv6.checksum"}, {v4tcp, v4tcp.size() - 1, "tcp.checksum"},  // a payload byte
  };
  for (auto c : cases) {
    IpPacket good = dissect_ip(c.pkt);
    ASSERT_FALSE(good.malformed) << c.reason << ": " << *good.malformed;
    c.pkt[c.flip] ^= 0x01;
    IpPacket p = dissect_ip(c.pkt);
    ASSERT_TRUE(p.malformed) << c.reason;
    EXPECT_EQ(p.malformed->rfind(c.reason, 0), 0u) << *p.malformed;
    EXPECT_TRUE(p.tcp || p.udp || p.icmp) << c.reason;
    if (p.tcp) {
      EXPECT_FALSE(p.tcp->checksum_ok && p.ip.header_checksum_ok);
    }
    if (p.udp) {
      EXPECT_FALSE(p.udp->checksum_ok);
    }
    if (p.icmp) {
      EXPECT_FALSE(p.icmp->checksum_ok);
    }
  }
}

// The ICMP checksum of IPv6 covers the pseudo-header: the same message is
// wrong if only the addresses change.
TEST(IpDissector, Icmpv6ChecksumCoversThePseudoHeader) {
  Bytes pkt = ipv6(58, 58, {128, 0, 0, 0, 0, 1, 0, 1});
  ASSERT_TRUE(dissect_ip(pkt).icmp->checksum_ok);
  pkt[24 + 14] ^= 0x01;  // a destination address byte: outside the ICMPv6 message itself
  IpPacket p = dissect_ip(pkt);
  ASSERT_TRUE(p.icmp);
  EXPECT_FALSE(p.icmp->checksum_ok);
}

TEST(IpDissector, UdpZeroChecksumIsNoneOverIpv4AndAnErrorOverIpv6) {
  Bytes v4 = ipv4(17, udp({1, 2}), {}, 0x4000, false);
  IpPacket p = dissect_ip(v4);
  ASSERT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.udp);
  EXPECT_TRUE(p.udp->checksum_absent);
  EXPECT_TRUE(p.udp->checksum_ok);
  EXPECT_EQ(p.udp->src_port, 5353);
  EXPECT_EQ(p.udp->length, 10);
  EXPECT_EQ(p.udp->payload_length, 2u);

  Bytes v6 = ipv6(17, 17, udp({1, 2}));
  v6[40 + 6] = v6[40 + 7] = 0;
  IpPacket q = dissect_ip(v6);
  ASSERT_TRUE(q.malformed);
  EXPECT_EQ(q.malformed->rfind("udp.checksum: zero", 0), 0u) << *q.malformed;
  EXPECT_FALSE(q.udp->checksum_ok);
}

TEST(IpDissector, UdpLengthDisagreeingWithIpIsMalformed) {
  Bytes body = udp({1, 2, 3, 4});
  patch16(body, 4, 10);
  IpPacket p = dissect_ip(ipv4(17, body));
  ASSERT_TRUE(p.malformed);
  EXPECT_EQ(*p.malformed, "udp.length: 10, the IP payload is 12");
}

TEST(IpDissector, Ipv6ExtensionHeadersAreSkippedWithTheirLengthsChecked) {
  Bytes ext = {60, 0, 1, 4, 0, 0, 0, 0,                          // hop-by-hop (8 bytes), next: dest options
               6, 1, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // destination options (16 bytes), next: TCP
  Bytes pkt = ipv6(0, 6, tcp(tcp_flag::syn, {2, 4, 0x05, 0x8c}, {}), ext);
  IpPacket p = dissect_ip(pkt);
  ASSERT_FALSE(p.malformed) << *p.malformed;
  EXPECT_EQ(p.ip.version, 6);
  EXPECT_EQ(p.ip.src.to_string(), "2001:db8::1");
  EXPECT_EQ(p.ip.ttl, 63);
  EXPECT_EQ(p.ip.flow_label, 0x12345u);
  EXPECT_EQ(p.ip.extension_headers, (std::vector<std::uint8_t>{0, 60}));
  EXPECT_EQ(p.ip.header_length, 64u);
  EXPECT_EQ(p.ip.protocol, 6);
  ASSERT_TRUE(p.tcp);
  EXPECT_TRUE(p.tcp->checksum_ok);
  EXPECT_EQ(p.tcp->mss, 1420);

  Bytes overrun = {6, 3, 0, 0, 0, 0, 0, 0};  // claims 32 bytes, 8 + 24 (TCP) are there
  IpPacket q = dissect_ip(ipv6(60, 6, tcp(tcp_flag::syn, {}, {}), overrun));
  ASSERT_TRUE(q.malformed);
  EXPECT_EQ(q.malformed->rfind("ipv6.extension_header 60: 32 bytes", 0), 0u) << *q.malformed;
  EXPECT_FALSE(q.tcp);
}

TEST(IpDissector, FragmentsAreNotedAndTheirTransportLeftUndecoded) {
  Bytes frag = {6, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};  // offset 0, M=1
  IpPacket p = dissect_ip(ipv6(44, 6, tcp(tcp_flag::ack, {}, {1}), frag));
  ASSERT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.ip.fragment);
  EXPECT_TRUE(p.ip.fragment->more);
  EXPECT_EQ(p.ip.fragment->identification, 0xdeadbeefu);
  EXPECT_TRUE(p.ip.is_fragment());
  EXPECT_FALSE(p.tcp);

  IpPacket q = dissect_ip(ipv4(6, tcp(tcp_flag::ack, {}, {}), {}, 0x0000 | 0x0003));  // offset 3 (24 bytes)
  ASSERT_FALSE(q.malformed) << *q.malformed;
  EXPECT_EQ(q.ip.fragment_offset, 3);
  EXPECT_FALSE(q.ip.df);
  EXPECT_FALSE(q.tcp);
}

TEST(IpDissector, Ipv4HeaderFaultsNameTheField) {
  EXPECT_EQ(*dissect_ip(ipv4(6, tcp(0, {}, {}), {}, 0xc000)).malformed,
            "ipv4.flags: the reserved bit is set (RFC 791 3.1: must be zero)");
  Bytes ihl4 = ipv4(6, tcp(0, {}, {}));
  ihl4[0] = 0x44;
  EXPECT_EQ(dissect_ip(ihl4).malformed->rfind("ipv4.ihl: 4 words", 0), 0u);
  Bytes v5 = ihl4;
  v5[0] = 0x55;
  EXPECT_EQ(*dissect_ip(v5).malformed, "ip.version: 5, expected 4 or 6");
  Bytes short_total = ipv4(6, tcp(0, {}, {}));
  patch16(short_total, 2, 16);
  patch16(short_total, 10, 0);
  patch16(short_total, 10, naive_checksum(Bytes(short_total.begin(), short_total.begin() + 20)));
  EXPECT_EQ(*dissect_ip(short_total).malformed, "ipv4.total_length: 16 is shorter than the 20-byte header");
}

TEST(IpDissector, BytesPastTheStatedIpLengthAreMalformed) {
  Bytes v4 = ipv4(17, udp({1, 2}));
  v4.push_back(0);
  IpPacket p = dissect_ip(v4);
  ASSERT_TRUE(p.malformed);
  EXPECT_EQ(*p.malformed, "ipv4.total_length: 30, the packet has 31 bytes");
  EXPECT_TRUE(p.udp && p.udp->checksum_ok);  // the datagram inside the stated length still decodes
  Bytes v6 = ipv6(17, 17, udp({1, 2}));
  v6.insert(v6.end(), {0, 0});
  IpPacket q = dissect_ip(v6);
  ASSERT_TRUE(q.malformed);
  EXPECT_EQ(*q.malformed, "ipv6.payload_length: 10, the packet has 12 bytes after the header");
}

TEST(IpDissector, TcpDataOffsetOutsideTheSegmentIsMalformed) {
  Bytes small = tcp(tcp_flag::ack, {}, {});
  small[12] = 0x40;  // 4 words
  IpPacket p = dissect_ip(ipv4(6, small));
  ASSERT_TRUE(p.malformed);
  EXPECT_EQ(*p.malformed, "tcp.data_offset: 4 words, the minimum is 5");
  Bytes big = tcp(tcp_flag::ack, {}, {1, 2, 3, 4});
  big[12] = 0x70;  // 28 bytes of header, the segment has 24
  IpPacket q = dissect_ip(ipv4(6, big));
  ASSERT_TRUE(q.malformed);
  EXPECT_EQ(*q.malformed, "tcp.data_offset: 28 bytes of header, the segment has 24");
}

Bytes frag_needed(std::uint16_t mtu) {
  Bytes inner = ipv4(6, tcp(tcp_flag::ack, {}, Bytes(100, 7), 123456));
  bytes::Writer w;
  w.put_u8(3);
  w.put_u8(4);
  w.put_u16(0);
  w.put_u16(0);
  w.put_u16(mtu);
  w.put_bytes(std::span(inner).first(28));  // IP header + 8 bytes of TCP (RFC 792)
  return ipv4(1, w.take());
}
Bytes packet_too_big(std::uint32_t mtu) {
  Bytes inner = ipv6(17, 17, udp(Bytes(1400, 1)));
  bytes::Writer w;
  w.put_u8(2);
  w.put_u8(0);
  w.put_u16(0);
  w.put_u32(mtu);
  w.put_bytes(std::span(inner).first(1232));  // as much as fits in 1280 (RFC 4443 3.2)
  return ipv6(58, 58, w.take());
}

TEST(IpDissector, IcmpFragNeededCarriesTheMtuAndTheQuotedSegment) {
  IpPacket p = dissect_ip(frag_needed(1280));
  ASSERT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.icmp);
  EXPECT_TRUE(p.icmp->is_frag_needed());
  EXPECT_TRUE(p.icmp->checksum_ok);
  EXPECT_EQ(p.icmp->mtu, 1280u);
  ASSERT_TRUE(p.icmp->quoted);
  const QuotedPacket& q = *p.icmp->quoted;
  EXPECT_EQ(q.src.to_string(), "198.18.0.1");
  EXPECT_EQ(q.dst.to_string(), "198.19.0.2");
  EXPECT_EQ(q.protocol, 6);
  EXPECT_EQ(q.src_port, 40000);
  EXPECT_EQ(q.dst_port, 443);
  EXPECT_EQ(q.tcp_seq, 123456u);
}

TEST(IpDissector, Icmpv6PacketTooBigCarriesTheMtuAndTheQuotedDatagram) {
  IpPacket p = dissect_ip(packet_too_big(1280));
  ASSERT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.icmp);
  EXPECT_TRUE(p.icmp->is_packet_too_big());
  EXPECT_TRUE(p.icmp->checksum_ok);
  EXPECT_EQ(p.icmp->mtu, 1280u);
  ASSERT_TRUE(p.icmp->quoted);
  EXPECT_EQ(p.icmp->quoted->src.to_string(), "2001:db8::1");
  EXPECT_EQ(p.icmp->quoted->protocol, 17);
  EXPECT_EQ(p.icmp->quoted->dst_port, 4433);
  EXPECT_FALSE(p.icmp->quoted->tcp_seq);
}

TEST(IpDissector, IcmpQuotingLessThan8TransportBytesIsMalformed) {
  Bytes inner = ipv4(6, tcp(tcp_flag::ack, {}, {}));
  bytes::Writer w;
  w.put_u32(0x03040000);
  w.put_u32(1400);
  w.put_bytes(std::span(inner).first(24));  // IP header + 4 bytes: the ports, no seq
  IpPacket p = dissect_ip(ipv4(1, w.take()));
  ASSERT_TRUE(p.malformed);
  EXPECT_EQ(*p.malformed, "icmp.quoted: 4 bytes after the IP header, at least 8 are quoted (RFC 792, RFC 4443 2.4)");
  EXPECT_EQ(p.icmp->quoted->dst_port, 443);
  EXPECT_FALSE(p.icmp->quoted->tcp_seq);
}

TEST(IpDissector, IcmpQuotingTooLittleIsMalformed) {
  bytes::Writer w;
  w.put_u32(0x03040000);
  w.put_u32(1400);
  w.put_bytes(Bytes{0x45, 0, 0, 40});
  IpPacket p = dissect_ip(ipv4(1, w.take()));
  ASSERT_TRUE(p.malformed);
  EXPECT_EQ(*p.malformed, "icmp.quoted.ipv4.header: 4 bytes, the fixed header needs 20");
  EXPECT_EQ(p.icmp->mtu, 1400u);
}

// Cut a valid packet at every length: never a crash, never a clean result.
TEST(IpDissector, EveryTruncationOfAValidPacketIsMalformed) {
  Bytes ext = {6, 0, 1, 4, 0, 0, 0, 0};
  const std::vector<Bytes> valid = {
      ipv4(6, tcp(tcp_flag::syn, kSynOptions, {1, 2, 3})),
      ipv4(6, tcp(tcp_flag::ack, {}, {1}), {1, 1, 1, 0}),
      ipv6(0, 6, tcp(tcp_flag::syn, kSynOptions, {4, 5}), ext),
      ipv4(17, udp({1, 2, 3})),
      ipv6(17, 17, udp({1})),
      frag_needed(1280),
      packet_too_big(1280),
  };
  for (std::size_t i = 0; i < valid.size(); ++i) {
    ASSERT_FALSE(dissect_ip(valid[i]).malformed) << "packet " << i << ": " << *dissect_ip(valid[i]).malformed;
    for (std::size_t n = 0; n < valid[i].size(); ++n) {
      Bytes cut(valid[i].begin(), valid[i].begin() + static_cast<std::ptrdiff_t>(n));
      IpPacket p = dissect_ip(cut);
      ASSERT_TRUE(p.malformed) << "packet " << i << " cut to " << n << " bytes";
      // Once the IP header is whole, the fault is the IP length, not some later symptom.
      bool v4 = valid[i][0] >> 4 == 4;
      if (n >= (v4 ? (valid[i][0] & 0x0fu) * 4u : 40u)) {
        EXPECT_EQ(p.malformed->rfind(v4 ? "ipv4.total_length" : "ipv6.payload_length", 0), 0u)
            << "packet " << i << " cut to " << n << ": " << *p.malformed;
      }
    }
  }
}

Bytes from_hex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Real packets: `tshark -i lo` while Python connected a TCP socket to
// 127.0.0.1:47911 and sent "wireproof" over UDP to [::1]:47912 (frames 1 and 4,
// the 14-byte loopback Ethernet header cut). Linux leaves TCP/UDP checksums on
// loopback to an offload that never runs, so they are wrong on the wire, and
// tshark (tcp.check_checksum:TRUE) says "TCP CHECKSUM INCORRECT" and "UDP
// CHECKSUM INCORRECT" for both, as the dissector must. The IPv4 header checksum is real.
TEST(IpDissector, RealLoopbackCaptureDecodesAsTsharkDoes) {
  IpPacket syn = dissect_ip(from_hex(
      "4500003c401b40004006fc9e7f0000017f000001dbe6bb27781bccca00000000a002ffd7fe3000000204ffd70402080a1a08508f00"
      "0000000103030a"));
  EXPECT_EQ(syn.ip.src.to_string(), "127.0.0.1");
  EXPECT_TRUE(syn.ip.df);
  EXPECT_TRUE(syn.ip.header_checksum_ok);
  ASSERT_TRUE(syn.tcp);
  EXPECT_EQ(syn.tcp->src_port, 56294);
  EXPECT_EQ(syn.tcp->dst_port, 47911);
  EXPECT_EQ(syn.tcp->flags, tcp_flag::syn);
  EXPECT_EQ(syn.tcp->window, 65495);
  EXPECT_EQ(syn.tcp->mss, 65495);
  EXPECT_EQ(syn.tcp->window_scale, 10);
  EXPECT_TRUE(syn.tcp->sack_permitted);
  ASSERT_TRUE(syn.tcp->timestamps);
  EXPECT_EQ(syn.tcp->timestamps->value, 436752527u);
  EXPECT_FALSE(syn.tcp->checksum_ok);
  ASSERT_TRUE(syn.malformed);
  EXPECT_EQ(*syn.malformed, "tcp.checksum: 0xfe30 does not verify");

  IpPacket udp6 = dissect_ip(from_hex(
      "60053a7b001111400000000000000000000000000000000100000000000000000000000000000001ba96bb28001100247769726570"
      "726f6f66"));
  EXPECT_EQ(udp6.ip.version, 6);
  EXPECT_EQ(udp6.ip.src.to_string(), "::1");
  EXPECT_EQ(udp6.ip.ttl, 64);
  EXPECT_EQ(udp6.ip.flow_label, 0x53a7bu);
  ASSERT_TRUE(udp6.udp);
  EXPECT_EQ(udp6.udp->src_port, 47766);
  EXPECT_EQ(udp6.udp->dst_port, 47912);
  EXPECT_EQ(udp6.udp->payload_length, 9u);
  EXPECT_FALSE(udp6.udp->checksum_ok);
  EXPECT_EQ(*udp6.malformed, "udp.checksum: 0x0024 does not verify");
}

}  // namespace
// to_string formats IPv4 by hand: it must write what inet_ntop writes, for
// every octet value in every position.
TEST(IpAddress, Ipv4TextIsInetNtopsForEveryOctet) {
  for (int position = 0; position < 4; ++position)
    for (int v = 0; v < 256; ++v) {
      IpAddress a;
      a.version = 4;
      a.bytes = {198, 18, 7, 200};
      a.bytes[position] = static_cast<std::uint8_t>(v);
      char want[INET_ADDRSTRLEN] = {};
      ASSERT_NE(inet_ntop(AF_INET, a.bytes.data(), want, sizeof want), nullptr);
      ASSERT_EQ(a.to_string(), want) << "octet " << position << " = " << v;
    }
  IpAddress v6;
  v6.version = 6;
  v6.bytes = {0x20, 0x01, 0x0d, 0xb8};
  v6.bytes[15] = 1;
  EXPECT_EQ(v6.to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddress{}.to_string(), "?");
}

}  // namespace wireproof::dissect
