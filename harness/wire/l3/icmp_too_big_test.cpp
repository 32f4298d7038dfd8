// The crafted ICMP, read back by the IP dissector (which verifies every checksum).
#include "harness/wire/l3/icmp_too_big.hpp"

#include <gtest/gtest.h>

#include "harness/dissect/ip_dissector.hpp"
#include "harness/wire/l3/l3_packet_test_support.hpp"

namespace wireproof::wire::l3 {
namespace {

TEST(IcmpTooBig, Ipv4FragNeededQuotesUpTo576BytesFromTheRouter) {
  const auto packet = test::tcp_packet(4, 1460);
  const auto icmp = icmp_too_big(packet, 1280);
  EXPECT_EQ(icmp.size(), kIcmpV4MaxBytes);  // 20 + 8 + 548 bytes of the 1500-byte packet
  const auto p = dissect::dissect_ip(icmp);
  ASSERT_FALSE(p.malformed) << *p.malformed;
  EXPECT_TRUE(p.ip.header_checksum_ok);
  EXPECT_EQ(p.ip.src.to_string(), "198.18.0.254");
  EXPECT_EQ(p.ip.dst.to_string(), "198.18.0.1");
  ASSERT_TRUE(p.icmp);
  EXPECT_TRUE(p.icmp->is_frag_needed());
  EXPECT_TRUE(p.icmp->checksum_ok);
  EXPECT_EQ(p.icmp->mtu, 1280u);
  ASSERT_TRUE(p.icmp->quoted);
  EXPECT_EQ(p.icmp->quoted->protocol, 6);
  EXPECT_EQ(p.icmp->quoted->src_port, 40000);
  EXPECT_EQ(p.icmp->quoted->tcp_seq, 1000u);
  // The quote is the packet's first bytes, unchanged.
  EXPECT_TRUE(std::equal(icmp.begin() + 28, icmp.end(), packet.begin()));
}

TEST(IcmpTooBig, SmallPacketIsQuotedWhole) {
  const auto packet = test::tcp_packet(4, 10);
  const auto icmp = icmp_too_big(packet, 552);
  EXPECT_EQ(icmp.size(), 28 + packet.size());
  EXPECT_FALSE(dissect::dissect_ip(icmp).malformed);
}

TEST(IcmpTooBig, Ipv6PacketTooBigFitsIn1280WithValidChecksum) {
  const auto packet = test::tcp_packet(6, 1440);
  const auto icmp = icmp_too_big(packet, 1280);
  EXPECT_EQ(icmp.size(), kIcmpV6MaxBytes);
  const auto p = dissect::dissect_ip(icmp);
  ASSERT_FALSE(p.malformed) << *p.malformed;
  EXPECT_EQ(p.ip.src.to_string(), "2001:db8::fe");
  EXPECT_EQ(p.ip.dst.to_string(), "2001:db8::1");
  ASSERT_TRUE(p.icmp);
  EXPECT_TRUE(p.icmp->is_packet_too_big());
  EXPECT_TRUE(p.icmp->checksum_ok);
  EXPECT_EQ(p.icmp->mtu, 1280u);
  ASSERT_TRUE(p.icmp->quoted);
  EXPECT_EQ(p.icmp->quoted->dst_port, 5000);
}

TEST(IcmpTooBig, RejectsWhatIsNotIp) {
  EXPECT_THROW(icmp_too_big(std::vector<std::uint8_t>{}, 1280), std::invalid_argument);
  EXPECT_THROW(icmp_too_big(std::vector<std::uint8_t>(40, 0x50), 1280), std::invalid_argument);
}

}  // namespace
}  // namespace wireproof::wire::l3
