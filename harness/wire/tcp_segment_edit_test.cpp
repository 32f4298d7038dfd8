// The rst and window rewrites keep a packet valid: the IP dissector (its own
// checksum code) verifies the result, for IPv4 and IPv6.
#include "harness/wire/tcp_segment_edit.hpp"

#include <gtest/gtest.h>

#include "harness/dissect/ip_dissector.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A TCP segment with an MSS option and `payload` data, checksums zero.
Bytes tcp_segment(std::uint8_t flags, std::size_t payload) {
  bytes::Writer w;
  w.put_u16(40000);
  w.put_u16(5000);
  w.put_u32(0x11223344);  // seq
  w.put_u32(0x55667788);  // ack
  w.put_u16(static_cast<std::uint16_t>(6 << 12 | flags));  // 24-byte header
  w.put_u16(29200);
  w.put_u16(0);
  w.put_u16(0);
  w.put_bytes(Bytes{2, 4, 0x05, 0xb4});
  w.put_bytes(Bytes(payload, 0xab));
  return w.take();
}

Bytes ipv4(const Bytes& tcp) {
  bytes::Writer w;
  w.put_u8(0x45);
  w.put_u8(0);
  w.put_u16(static_cast<std::uint16_t>(20 + tcp.size()));
  w.put_u16(1);
  w.put_u16(0x4000);
  w.put_u8(64);
  w.put_u8(6);
  w.put_u16(0);
  w.put_bytes(Bytes{198, 18, 0, 1});
  w.put_bytes(Bytes{198, 18, 0, 2});
  w.put_bytes(tcp);
  return w.take();
}

Bytes ipv6(const Bytes& tcp) {
  bytes::Writer w;
  w.put_u32(0x60000000);
  w.put_u16(static_cast<std::uint16_t>(tcp.size()));
  w.put_u8(6);
  w.put_u8(64);
  Bytes src(16, 0), dst(16, 0);
  src[0] = dst[0] = 0x20, src[1] = dst[1] = 0x01, src[2] = dst[2] = 0x0d, src[3] = dst[3] = 0xb8;
  src[15] = 1, dst[15] = 2;
  w.put_bytes(src);
  w.put_bytes(dst);
  w.put_bytes(tcp);
  return w.take();
}

struct Case { int version; std::size_t header; };
class TcpSegmentEdit : public ::testing::TestWithParam<Case> {
 protected:
  Bytes packet(std::uint8_t flags, std::size_t payload) const {
    const Bytes seg = tcp_segment(flags, payload);
    Bytes p = GetParam().version == 4 ? ipv4(seg) : ipv6(seg);
    fix_tcp_checksums(p, view());
    return p;
  }
  TcpPacketView view() const { return {GetParam().version, GetParam().header}; }
};

TEST_P(TcpSegmentEdit, BuiltPacketVerifies) {
  const auto p = dissect::dissect_ip(packet(0x18, 100));
  EXPECT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.tcp);
  EXPECT_TRUE(p.tcp->checksum_ok);
  EXPECT_EQ(p.tcp->payload_length, 100u);
}

TEST_P(TcpSegmentEdit, WindowIsRewrittenAndStillVerifies) {
  Bytes b = packet(0x10, 100);
  ASSERT_TRUE(set_window(b, view(), 0));
  const auto p = dissect::dissect_ip(b);
  EXPECT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.tcp);
  EXPECT_EQ(p.tcp->window, 0);
  EXPECT_TRUE(p.tcp->checksum_ok);
  EXPECT_EQ(p.tcp->payload_length, 100u);
  EXPECT_EQ(p.tcp->mss, 1460);
}

TEST_P(TcpSegmentEdit, DataSegmentBecomesABareRstAckWithItsSeqAndAck) {
  Bytes b = packet(0x18, 300);  // PSH|ACK with data and an option
  ASSERT_TRUE(to_reset(b, view()));
  EXPECT_EQ(b.size(), GetParam().header + 20);
  const auto p = dissect::dissect_ip(b);
  EXPECT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.tcp);
  EXPECT_EQ(p.tcp->flags, 0x14);  // RST|ACK
  EXPECT_EQ(p.tcp->seq, 0x11223344u);
  EXPECT_EQ(p.tcp->ack, 0x55667788u);
  EXPECT_EQ(p.tcp->payload_length, 0u);
  EXPECT_FALSE(p.tcp->mss);
  EXPECT_TRUE(p.tcp->checksum_ok);
  if (GetParam().version == 4) {
    EXPECT_TRUE(p.ip.header_checksum_ok);
  }
}

TEST_P(TcpSegmentEdit, SegmentWithoutAckBecomesAPlainRst) {
  Bytes b = packet(0x02, 0);  // SYN
  ASSERT_TRUE(to_reset(b, view()));
  const auto p = dissect::dissect_ip(b);
  ASSERT_TRUE(p.tcp);
  EXPECT_EQ(p.tcp->flags, 0x04);
  EXPECT_TRUE(p.tcp->checksum_ok);
}

TEST_P(TcpSegmentEdit, TruncatedSegmentIsLeftAlone) {
  Bytes b = packet(0x10, 0);
  b.resize(GetParam().header + 10);
  const Bytes before = b;
  EXPECT_FALSE(set_window(b, view(), 5));
  EXPECT_FALSE(to_reset(b, view()));
  EXPECT_EQ(b, before);
}

INSTANTIATE_TEST_SUITE_P(Ip, TcpSegmentEdit, ::testing::Values(Case{4, 20}, Case{6, 40}),
                         [](const auto& info) { return "v" + std::to_string(info.param.version); });

}  // namespace
}  // namespace wireproof::wire
