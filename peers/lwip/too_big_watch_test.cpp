#include "peers/lwip/too_big_watch.hpp"

#include <gtest/gtest.h>

#include "harness/wire/l3/icmp_too_big.hpp"
#include "harness/wire/l3/l3_packet_test_support.hpp"

namespace wireproof::peers::lwip {
namespace {

namespace l3 = wire::l3;

// The wire's own answer (l3::icmp_too_big) to a 1500-byte segment at MTU 1280.
TEST(TooBigWatch, APacketAboveTheTooBigMtuAfterTheMessageIsReported) {
  for (int version : {4, 6}) {
    const auto big = l3::test::tcp_packet(version, 1500 - (version == 4 ? 40 : 60));
    ASSERT_EQ(big.size(), 1500u);
    TooBigWatch watch;
    watch.outbound(big);  // before any message: nothing to say
    EXPECT_FALSE(watch.ignored());
    watch.inbound(l3::icmp_too_big(big, 1280));
    watch.outbound(l3::test::tcp_packet(version, 1200));  // fits: the stack did shrink
    EXPECT_FALSE(watch.ignored()) << version;
    watch.outbound(big);
    ASSERT_TRUE(watch.ignored()) << version;
    EXPECT_EQ(*watch.ignored(), "path MTU discovery: lwIP sent a 1500-byte TCP packet after an " +
                                    std::string(version == 4 ? "ICMP frag-needed" : "ICMPv6 Packet Too Big") +
                                    " with MTU 1280 (lwIP 2.1.3's TCP keeps the MSS of its handshake)");
  }
}

TEST(TooBigWatch, OtherIcmpAndBadChecksumsAreNotTooBigMessages) {
  const auto big = l3::test::tcp_packet(6, 1440);
  auto ptb = l3::icmp_too_big(big, 1280);
  ptb.back() ^= 0xff;  // the quoted bytes are under the ICMPv6 checksum
  TooBigWatch watch;
  watch.inbound(ptb);
  watch.inbound(l3::test::tcp_packet(6, 10));  // not ICMP
  watch.outbound(big);
  EXPECT_FALSE(watch.ignored());
}

}  // namespace
}  // namespace wireproof::peers::lwip
